package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * One-click unsubscription (RFC 8058) on the packaged server: members' copies of a post carry their own HTTPS link
 * and {@code List-Unsubscribe-Post}; an HTTPS client (trusting only the server's certificate) that POSTs the link
 * unsubscribes the member, who gets the goodbye notice; a forged token or another member's link is refused with 403,
 * an oversized body (413) or another body (400) changes nothing either, and neither does a GET (a link scanner); a
 * request that never ends is cut off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneClickUnsubscribeIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String PASSWORD = "Lists-test-1357";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Pattern HTTPS_LINK = Pattern.compile("List-Unsubscribe: <(https://[^>]+)>, "
        + "<mailto:news-unsubscribe@example.com>");

    @TempDir
    static Path temp;
    private PackagedServer server;
    private HttpClient https;
    private SSLContext tls;
    private int port;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        Path certificate = LoopbackCertificate.writeTo(server.home.resolve("conf/tls"), temp);
        port = PackagedServer.freePort();
        Files.writeString(server.home.resolve("conf/oneclick.properties"), "oneclick.port=" + port
            + "\noneclick.host=127.0.0.1\noneclick.bind=127.0.0.1\n", StandardCharsets.UTF_8);
        tls = trusting(certificate);
        https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10))
            .build();
        server.startWith("example.com", PASSWORD, "alice@example.com", "bob@example.com", "carol@example.com");
        try (LDAPConnection ldap = ListClients.admin(server)) {
            ldap.add(new Entry("dn: mail=news@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: news@example.com", "ieListPosting: OPEN", "ieListMember: bob@example.com",
                "ieListMember: carol@example.com"));
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "OneClickUnsubscribeIT");
    }

    @Test
    void aMemberLeavesWithOnePostOfItsOwnLinkAndNothingElseUnsubscribes() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "alice@example.com", "news@example.com", "news of the day", id, "");
        String bobCopy = ListClients.unfolded(MailAccess.awaitTestMessage(server.imapPort, "bob@example.com", PASSWORD,
            id, DELIVERY));
        String carolCopy = ListClients.unfolded(MailAccess.awaitTestMessage(server.imapPort, "carol@example.com",
            PASSWORD, id, DELIVERY));
        assertThat(bobCopy).contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        String bobLink = link(bobCopy);
        String carolLink = link(carolCopy);
        assertThat(bobLink).startsWith("https://127.0.0.1:").contains("/lists/unsubscribe?list=news%40example.com")
            .contains("&member=bob%40example.com&token=");
        assertThat(carolLink).contains("&member=carol%40example.com&token=");

        // a link scanner's GET only shows the button
        HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(bobLink)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\"").contains("bob@example.com");
        assertThat(members()).contains("bob@example.com");

        // a forged token, and bob's token on carol's link, are refused
        String token = bobLink.substring(bobLink.indexOf("&token=") + "&token=".length());
        String forged = bobLink.replace(token, (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1));
        assertThat(post(forged).statusCode()).isEqualTo(403);
        String carolToken = carolLink.substring(carolLink.indexOf("&token=") + "&token=".length());
        assertThat(post(carolLink.replace(carolToken, token)).statusCode()).isEqualTo(403);
        // a body larger than one-click needs, or another one, is refused before the token is looked at
        assertThat(post(bobLink, "List-Unsubscribe=One-Click&padding=" + "x".repeat(2000)).statusCode())
            .isEqualTo(413);
        assertThat(post(bobLink, "List-Unsubscribe=Yes").statusCode()).isEqualTo(400);
        assertThat(members()).containsExactlyInAnyOrder("bob@example.com", "carol@example.com");

        HttpResponse<String> done = post(bobLink);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(members()).containsExactly("carol@example.com");
        ListClients.awaitSubject(server.imapPort, "bob@example.com", PASSWORD, "Goodbye from news@example.com",
            DELIVERY);
        assertThat(post(bobLink).statusCode()).as("a second click changes nothing and is fine").isEqualTo(200);
    }

    @Test
    void aClientThatDoesNotFinishItsRequestIsCutOff() throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /lists/unsubscribe?list=news%40example.com&member=carol%40example.com&token=x HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nContent-Length: 100\r\n\r\nList-Unsub").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            // the server closes the connection (end of stream, or a reset) well before the client's own time-out
            try {
                while (socket.getInputStream().read() != -1) {
                    // whatever it says before closing
                }
            } catch (SocketException reset) {
                // closed too
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(40));
        }
        assertThat(members()).contains("carol@example.com");
    }

    private HttpResponse<String> post(String link) throws Exception {
        return post(link, "List-Unsubscribe=One-Click");
    }

    private HttpResponse<String> post(String link, String body) throws Exception {
        return https.send(HttpRequest.newBuilder(URI.create(link))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String link(String copy) {
        Matcher matcher = HTTPS_LINK.matcher(copy);
        assertThat(matcher.find()).as(copy).isTrue();
        return matcher.group(1);
    }

    private List<String> members() throws Exception {
        try (LDAPConnection ldap = ListClients.admin(server)) {
            String[] values = ldap.getEntry("mail=news@example.com," + SUFFIX).getAttributeValues("ieListMember");
            return values == null ? List.of() : List.of(values);
        }
    }

    /** TLS that trusts this certificate only. */
    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
