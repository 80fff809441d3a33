package org.switchboard.mailets.lists;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.james.core.MailAddress;

/**
 * The token of a one-click unsubscribe link (RFC 8058): HMAC-SHA256 over the list's and the member's address, with a
 * secret key of the server's. Nothing is stored per member, a token names exactly one member of one list, and only
 * the holder of the key can make one.
 */
public final class UnsubscribeTokens {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int KEY_BYTES = 32;

    private final SecretKeySpec key;

    public UnsubscribeTokens(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("an unsubscribe key has " + KEY_BYTES + " bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    /** The key in the file, made (random, readable by the owner only) when there is none yet. */
    public static UnsubscribeTokens loadOrCreate(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(keyFile.toAbsolutePath().getParent(), "unsubscribe", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temporary, key);
            try {
                // no replace: a key already handed out in links must never change under them
                Files.move(temporary, keyFile);
            } catch (FileAlreadyExistsException e) {
                Files.delete(temporary);
            }
        }
        byte[] key = Files.readAllBytes(keyFile);
        if (key.length != KEY_BYTES) {
            throw new IOException(keyFile + " holds " + key.length + " bytes, not a " + KEY_BYTES
                + "-byte unsubscribe key (delete it to make a new one; earlier links then stop working)");
        }
        return new UnsubscribeTokens(key);
    }

    /** The token that lets this member leave this list (URL-safe Base64). */
    public String token(MailAddress list, MailAddress member) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(list, member));
    }

    /** Whether the token is the one of this member and list; compared in constant time. */
    public boolean verify(MailAddress list, MailAddress member, String token) {
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(list, member), given);
    }

    private byte[] mac(MailAddress list, MailAddress member) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            // NUL cannot occur in an address, so no two pairs give the same input
            String input = list.asString().toLowerCase(Locale.ROOT) + '\0' + member.asString().toLowerCase(Locale.ROOT);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }
}
