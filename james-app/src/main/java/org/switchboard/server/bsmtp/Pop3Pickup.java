package org.switchboard.server.bsmtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
import java.util.Properties;

import javax.mail.FetchProfile;
import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.UIDFolder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.mail.pop3.POP3Folder;

/**
 * One POP3 session on one tunnel account, with JavaMail's POP3 provider (on James' class path): lists the UIDLs,
 * deletes the messages whose UIDL is already recorded (their contents are in the spool), downloads each other message
 * (to a temporary file when large: JavaMail's file cache), injects it, records its UIDL, marks it deleted. The
 * deletions are sent (DELE, then QUIT) only when the session closes, after every recorded UIDL was synced: a crash
 * or a cut connection before that deletes nothing on the server (RFC 1939: no UPDATE state without QUIT).
 */
final class Pop3Pickup {
    private static final Logger LOGGER = LoggerFactory.getLogger(Pop3Pickup.class);
    private static final String TIMEOUT_MILLIS = "60000";

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
        Session session = Session.getInstance(properties());
        String protocol = account.security() == Pop3Account.Security.POP3S ? "pop3s" : "pop3";
        Store store = session.getStore(protocol);
        store.connect(account.host(), account.port(), account.user(), account.password());
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            boolean completed = false;
            List<String> listed = new ArrayList<>();
            try {
                Message[] messages = inbox.getMessages();
                FetchProfile uids = new FetchProfile();
                uids.add(UIDFolder.FetchProfileItem.UID);
                inbox.fetch(messages, uids);
                String remoteAddress = InetAddress.getByName(account.host()).getHostAddress();
                for (Message message : messages) {
                    String uidl = inbox.getUID(message);
                    if (uidl == null) {
                        throw new MessagingException("the server gave no UIDL for message " + message.getMessageNumber()
                            + " (the UIDL command is required)");
                    }
                    listed.add(uidl);
                    if (uidls.contains(uidl)) {
                        // downloaded in an earlier session whose deletions did not reach the server
                        message.setFlag(Flags.Flag.DELETED, true);
                        counters.seenAgain.incrementAndGet();
                        continue;
                    }
                    download(message, uidl, remoteAddress);
                    uidls.add(uidl);
                    message.setFlag(Flags.Flag.DELETED, true);
                }
                completed = true;
            } finally {
                // DELE of the flagged messages and QUIT; after a failure too, for the messages already handled
                inbox.close(true);
            }
            if (completed) {
                uidls.retainOnly(listed);
            }
        } finally {
            store.close();
        }
    }

    private void download(Message message, String uidl, String remoteAddress) throws MessagingException, IOException {
        String key = account.name() + "-" + digest(uidl);
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create("bsmtp-download-" + key);
        try {
            try (OutputStream out = source.getWritableOutputStream()) {
                message.writeTo(out);
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

    private Properties properties() throws IOException, GeneralSecurityException {
        String prefix = account.security() == Pop3Account.Security.POP3S ? "mail.pop3s." : "mail.pop3.";
        Properties properties = new Properties();
        properties.setProperty(prefix + "connectiontimeout", TIMEOUT_MILLIS);
        properties.setProperty(prefix + "timeout", TIMEOUT_MILLIS);
        // a large message goes to a temporary file while it is read, not to memory
        properties.setProperty(prefix + "filecache.enable", "true");
        properties.setProperty(prefix + "ssl.checkserveridentity", "true");
        if (account.security() == Pop3Account.Security.STARTTLS) {
            properties.setProperty(prefix + "starttls.enable", "true");
            properties.setProperty(prefix + "starttls.required", "true");
        }
        if (account.trustedCertificate().isPresent()) {
            properties.put(prefix + "ssl.socketFactory", trusting(account.trustedCertificate().get()).getSocketFactory());
        }
        return properties;
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
