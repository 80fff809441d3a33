package org.switchboard.server.bsmtp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.mail.MessagingException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;

/**
 * One POP3 session on one tunnel account, with Apache Commons Net's POP3 client: lists the UIDLs, deletes the
 * messages whose UIDL is already recorded (their contents are in the spool), downloads each other message (into
 * James' message source: a temporary file when large), injects it, records its UIDL (synced), then sends DELE. The
 * deletions take effect only at QUIT (RFC 1939, UPDATE state): a crash or a cut connection before it deletes
 * nothing on the server, and a message injected but whose UIDL was not recorded yet is injected again, under the
 * same mail names (the message store then keeps one copy).
 *
 * <p>Not JavaMail's POP3 provider: Jakarta Mail 1.6 decides from the CAPA answer before login whether UIDL exists,
 * and servers that list UIDL only after login (James' own) then get no UIDLs at all.
 */
final class Pop3Pickup {
    private static final int TIMEOUT_MILLIS = 60_000;

    private final Pop3Account account;
    private final UidlDatabase uidls;
    private final TunnelInjector injector;
    private final Counters counters;

    Pop3Pickup(Pop3Account account, UidlDatabase uidls, TunnelInjector injector, Counters counters) {
        this.account = account;
        this.uidls = uidls;
        this.injector = injector;
        this.counters = counters;
    }

    void poll() throws MessagingException, IOException, GeneralSecurityException {
        POP3Client client = client();
        client.setDefaultTimeout(TIMEOUT_MILLIS);
        client.setConnectTimeout(TIMEOUT_MILLIS);
        try {
            client.connect(account.host(), account.port());
            client.setSoTimeout(TIMEOUT_MILLIS);
            if (account.security() == Pop3Account.Security.STARTTLS && !((POP3SClient) client).execTLS()) {
                throw new IOException("the server refused STLS: " + reply(client));
            }
            if (!client.login(account.user(), account.password())) {
                throw new IOException("login refused: " + reply(client));
            }
            POP3MessageInfo[] listing = client.listUniqueIdentifiers();
            if (listing == null) {
                throw new IOException("UIDL refused: " + reply(client));
            }
            String remoteAddress = client.getRemoteAddress().getHostAddress();
            List<String> listed = new ArrayList<>();
            for (POP3MessageInfo message : listing) {
                String uidl = message.identifier;
                listed.add(uidl);
                if (uidls.contains(uidl)) {
                    // downloaded in an earlier session whose deletions did not reach the server
                    counters.seenAgain.incrementAndGet();
                } else {
                    download(client, message.number, uidl, remoteAddress);
                    uidls.add(uidl);
                }
                if (!client.deleteMessage(message.number)) {
                    throw new IOException("DELE " + message.number + " refused: " + reply(client));
                }
            }
            if (!client.logout()) {
                throw new IOException("QUIT refused, the messages may not be deleted: " + reply(client));
            }
            uidls.retainOnly(listed);
        } finally {
            if (client.isConnected()) {
                client.disconnect();
            }
        }
    }

    private POP3Client client() throws IOException, GeneralSecurityException {
        if (account.security() == Pop3Account.Security.NONE) {
            return new POP3Client();
        }
        SSLContext context = account.trustedCertificate().isPresent()
            ? trusting(account.trustedCertificate().get()) : SSLContext.getDefault();
        POP3SClient client = new POP3SClient(account.security() == Pop3Account.Security.POP3S, context);
        // the certificate must name the host (as HTTPS clients check it)
        client.setEndpointCheckingEnabled(true);
        return client;
    }

    private static String reply(POP3Client client) {
        String reply = client.getReplyString();
        return reply == null ? "(no answer)" : reply.trim();
    }

    private void download(POP3Client client, int number, String uidl, String remoteAddress)
        throws MessagingException, IOException {
        String key = account.name() + "-" + digest(uidl);
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create("bsmtp-download-" + key);
        try {
            try (OutputStream out = new BufferedOutputStream(source.getWritableOutputStream(), 64 * 1024)) {
                Reader message = client.retrieveMessage(number);
                if (message == null) {
                    throw new IOException("RETR " + number + " refused: " + reply(client));
                }
                // Commons Net reads POP3 as ISO-8859-1: one char per octet, 8-bit content kept as it was
                try (Reader in = message) {
                    char[] buffer = new char[8192];
                    int read;
                    while ((read = in.read(buffer)) != -1) {
                        for (int i = 0; i < read; i++) {
                            out.write(buffer[i]);
                        }
                    }
                }
            }
            counters.messages.incrementAndGet();
            counters.bytes.addAndGet(source.getMessageSize());
            TunnelInjector.Injected injected = injector.inject(account, remoteAddress, key, new MimeMessageWrapper(source));
            counters.transactions.addAndGet(injected.transactions());
            counters.rejected.addAndGet(injected.rejected());
            if (!injected.batch()) {
                counters.other.incrementAndGet();
            }
        } finally {
            LifecycleUtil.dispose(source);
        }
    }

    /** The UIDL as a name part: printable, fixed length, the same in every session. */
    private static String digest(String uidl) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(uidl.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TLS that trusts the certificates of a PEM file (the POP3 server's own, or its CA), nothing else. */
    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("trusted-" + index++, certificate);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    Pop3Account account() {
        return account;
    }
}
