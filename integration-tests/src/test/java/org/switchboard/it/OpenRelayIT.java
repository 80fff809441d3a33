package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.SmtpClient.Reply;

/**
 * The open-relay battery against the packaged server with its shipped configuration: the classic address tricks of
 * the relay tests (the %-hack, source routes, quoted local parts, user@host@domain, bang paths, trailing dots, foreign
 * address literals, in mixed case) are each refused with a 5xx, on the MX port and on the submission port, from a
 * remote client, from the authorized relay network (127.0.0.1) and from an authenticated user alike. Plain relaying
 * is refused to the unauthenticated remote client and allowed to the others, as James' relay rules say.
 */
class OpenRelayIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "alice-Relay-7";
    private static final String REMOTE_CLIENT = "127.0.0.2";

    /** Each trick, as sent in RCPT TO:<...>; the local domain, the server's own address literal, a foreign host. */
    static final List<String> TRICKS = List.of(
        "alice%other.test@example.com",
        "ALICE%OTHER.TEST@EXAMPLE.COM",
        "alice%other.test@Example.Com",
        "alice%other.test@[127.0.0.1]",
        "alice%other.test",
        "alice%other.test%example.com@example.com",
        "\"alice@other.test\"@example.com",
        "\"ALICE@OTHER.TEST\"@EXAMPLE.COM",
        "\"alice%other.test\"@example.com",
        "\"other.test!alice\"@example.com",
        "\"alice\\@other.test\"@example.com",
        "\"alice@other.test\"",
        "alice@other.test@example.com",
        "alice@other.test@[127.0.0.1]",
        "alice@OTHER.test@Example.com",
        "@example.com:alice@other.test",
        "@[127.0.0.1]:alice@other.test",
        "@example.com,@relay.test:alice@other.test",
        "other.test!alice@example.com",
        "other.test!alice@[127.0.0.1]",
        "other.test!alice",
        "OTHER.TEST!alice@EXAMPLE.COM",
        "alice!other.test@example.com",
        "alice@example.com.",
        "alice@other.test.",
        "alice@[192.0.2.1]",
        "alice@[IPv6:2001:db8::1]");

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        server.startWith(DOMAIN, PASSWORD, ALICE);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "OpenRelayIT");
    }

    @Test
    void mxPortFromARemoteClient() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("remote.test");
            assertBatteryRefused(smtp, "MX port, 127.0.0.2", "bob@origin.test");
            Reply plain = rcpt(smtp, "alice@other.test");
            assertThat(plain.code()).as("plain relay without AUTH: %s", plain).isEqualTo(550);
            assertThat(plain.enhancedCode()).isEqualTo("5.7.1");
            assertThat(rcpt(smtp, ALICE).code()).as("local mail still accepted").isEqualTo(250);
        }
    }

    @Test
    void mxPortFromTheAuthorizedRelayNetwork() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("localhost");
            assertBatteryRefused(smtp, "MX port, 127.0.0.1 (authorized network)", "bob@origin.test");
            assertThat(rcpt(smtp, "alice@other.test").code()).as("plain relay from the authorized network").isEqualTo(250);
        }
    }

    @Test
    void mxPortAfterAuthentication() throws Exception {
        try (SmtpClient smtp = authenticated(server.smtpPort)) {
            assertBatteryRefused(smtp, "MX port, authenticated", ALICE);
            assertThat(rcpt(smtp, "alice@other.test").code()).as("plain relay after AUTH").isEqualTo(250);
        }
    }

    @Test
    void submissionPortWithoutAuthenticationRefusesTheTransaction() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.submissionPort)) {
            smtp.ehlo("laptop.test");
            smtp.startTls();
            smtp.ehlo("laptop.test");
            Reply mail = smtp.command("MAIL FROM:<" + ALICE + ">");
            assertThat(mail.code()).as("MAIL without AUTH on submission: %s", mail).isEqualTo(530);
            for (String trick : TRICKS) {
                Reply reply = smtp.command("RCPT TO:<" + trick + ">");
                assertThat(reply.isPermanentFailure()).as("RCPT TO:<%s> without AUTH on submission: %s", trick, reply).isTrue();
            }
        }
    }

    @Test
    void submissionPortAfterAuthentication() throws Exception {
        try (SmtpClient smtp = authenticated(server.submissionPort)) {
            assertBatteryRefused(smtp, "submission port, authenticated", ALICE);
            assertThat(rcpt(smtp, "alice@other.test").code()).as("plain relay after AUTH").isEqualTo(250);
        }
        assertThat(server.log()).contains("RelayTrickCmdHandler: refused RCPT <alice%other.test@example.com> from 127.0.0.2: "
            + "'%' in the local part (user%host@domain)");
    }

    /** MAIL FROM the sender, then every trick as a recipient: each refused with 553 5.7.1 and its reason. */
    private static void assertBatteryRefused(SmtpClient smtp, String where, String sender) throws Exception {
        Reply mail = smtp.command("MAIL FROM:<" + sender + ">");
        assertThat(mail.code()).as("%s: MAIL FROM -> %s", where, mail).isEqualTo(250);
        SoftAssertions soft = new SoftAssertions();
        List<String> observed = new ArrayList<>();
        for (String trick : TRICKS) {
            Reply reply = rcpt(smtp, trick);
            observed.add("RCPT TO:<" + trick + "> -> " + reply);
            soft.assertThat(reply.code()).as("%s: RCPT TO:<%s> -> %s", where, trick, reply).isEqualTo(553);
            soft.assertThat(reply.enhancedCode()).as("%s: RCPT TO:<%s>", where, trick).isEqualTo("5.7.1");
            soft.assertThat(reply.text()).as("%s: RCPT TO:<%s>", where, trick).contains("relay address tricks are refused");
        }
        System.out.println("OBSERVED " + where + ":\n  " + String.join("\n  ", observed));
        soft.assertAll();
    }

    /** A session from the remote client, inside TLS, authenticated as Alice. */
    private static SmtpClient authenticated(int port) throws Exception {
        SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, port);
        smtp.ehlo("laptop.test");
        smtp.startTls();
        smtp.ehlo("laptop.test");
        Reply auth = smtp.authPlain(ALICE, PASSWORD);
        assertThat(auth.code()).as("AUTH PLAIN: %s", auth).isEqualTo(235);
        return smtp;
    }

    private static Reply rcpt(SmtpClient smtp, String address) throws Exception {
        return smtp.command("RCPT TO:<" + address + ">");
    }
}
