package org.switchboard.mailets.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.routing.Permission;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/** x-permission enforcement, list routes and the domain forwarding table of the Message Switch. */
class PermissionsAndForwardingTest {
    @TempDir
    Path temp;
    private InMemoryDirectoryRouting directory;
    private RecordingMailetContext context;

    @BeforeEach
    void setUp() {
        directory = new InMemoryDirectoryRouting()
            .entry("inbound-only@example.com", Set.of("ieperson"), Map.of("SMTPC", Permission.RECEIVE))
            .entry("no-internet@example.com", Set.of("ieperson"), Map.of("SMTPC", Permission.NONE),
                "SMTPC$forward@elsewhere.example.org")
            .entry("local-only@example.com", Set.of("ieperson"), Map.of("LOCAL", Permission.SEND))
            .entry("staff@example.com", Set.of("ielist"), Map.of())
            .entry("free@example.com", Set.of("ieperson"), Map.of());
        context = new RecordingMailetContext("example.com");
    }

    private MessageSwitch mailet(Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("MessageSwitch")
            .mailetContext(context.context());
        parameters.forEach(config::setProperty);
        MessageSwitch mailet = new MessageSwitch(directory, new ConfigFiles(temp));
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(String sender, String... recipients) throws MessagingException {
        return FakeMail.builder().name("mail1").sender(sender).recipients(recipients).state("preprocess").build();
    }

    @Test
    void senderWithoutSendOnTheChannelIsRefusedToThePermissionProcessor() throws MessagingException {
        FakeMail mail = mail("inbound-only@example.com", "someone@remote.example.org", "free@example.com");

        mailet(Map.of("permissionProcessor", "permission-denied")).service(mail);

        assertThat(mail.getRecipients()).extracting(MailAddress::asString).containsExactly("free@example.com");
        assertThat(context.sent()).singleElement().satisfies(sent -> {
            assertThat(sent.state()).isEqualTo("permission-denied");
            assertThat(sent.recipients()).extracting(MailAddress::asString).containsExactly("someone@remote.example.org");
            assertThat(sent.errorMessage()).isEqualTo("Message Switch refuses someone@remote.example.org: "
                + "inbound-only@example.com may not send mail through SMTPC (x-permission)");
        });
    }

    @Test
    void recipientWithoutReceiveOnItsRouteIsRefused() throws MessagingException {
        FakeMail mail = mail("free@example.com", "no-internet@example.com");

        mailet(Map.of()).service(mail);

        assertThat(mail.getRecipients()).isEmpty();
        assertThat(context.sent()).singleElement().satisfies(sent -> {
            assertThat(sent.state()).as("permissionProcessor defaults to errorProcessor").isEqualTo("error");
            assertThat(sent.errorMessage()).contains("no-internet@example.com may not receive mail through SMTPC");
        });
    }

    @Test
    void recipientWithoutReceiveOnLocalIsRefusedAndPermissionsOfOtherChannelsDoNotMatter() throws MessagingException {
        FakeMail refused = mail("free@example.com", "local-only@example.com");
        mailet(Map.of()).service(refused);
        assertThat(refused.getRecipients()).isEmpty();

        FakeMail allowed = mail("inbound-only@example.com", "free@example.com");
        mailet(Map.of()).service(allowed);
        assertThat(allowed.getRecipients()).extracting(MailAddress::asString).containsExactly("free@example.com");
        assertThat(RouteAttribute.read(allowed)).containsValue(Route.of("LOCAL", "free@example.com"));
    }

    @Test
    void listEntriesAreRoutedToTheDistributionListChannel() throws MessagingException {
        FakeMail mail = mail("free@example.com", "staff@example.com");
        mailet(Map.of()).service(mail);
        assertThat(RouteAttribute.read(mail)).containsValue(Route.of("DL", "staff@example.com"));
    }

    @Test
    void domainForwardingTableRoutesUnknownRecipientsOfItsDomains() throws Exception {
        Path table = temp.resolve("domain-forwarding.properties");
        Files.writeString(table, "# tunnel customers\nbranch.example.org = BSMTPOUT$branch@tunnel.example.net\n"
            + ".sub.example.org = BSMTPOUT$subs@tunnel.example.net\n", StandardCharsets.UTF_8);
        MessageSwitch mailet = mailet(Map.of("domainForwarding", "domain-forwarding.properties"));
        FakeMail mail = mail("free@example.com", "a@branch.example.org", "b@x.sub.example.org",
            "c@other.example.org", "free@example.com");

        mailet.service(mail);

        assertThat(mail.getRecipients()).extracting(MailAddress::asString)
            .containsExactly("a@branch.example.org", "b@x.sub.example.org", "c@other.example.org", "free@example.com");
        assertThat(RouteAttribute.read(mail))
            .containsEntry(new MailAddress("a@branch.example.org"), Route.of("BSMTPOUT", "branch@tunnel.example.net"))
            .containsEntry(new MailAddress("b@x.sub.example.org"), Route.of("BSMTPOUT", "subs@tunnel.example.net"))
            .doesNotContainKey(new MailAddress("c@other.example.org"));
    }

    @Test
    void domainForwardingTableIsReadAgainWhenItChanges() throws Exception {
        Path file = temp.resolve("table.properties");
        Files.writeString(file, "a.example.org = BSMTPOUT$one@tunnel.example.net\n", StandardCharsets.UTF_8);
        AtomicLong clock = new AtomicLong();
        DomainForwardingTable table = DomainForwardingTable.load(file, clock::get, Duration.ofSeconds(10));
        assertThat(table.routeFor(Domain.of("a.example.org"))).contains(Route.of("BSMTPOUT", "one@tunnel.example.net"));

        Files.writeString(file, "a.example.org = BSMTPOUT$two@tunnel.example.net\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(table.routeFor(Domain.of("a.example.org"))).as("not checked before the interval")
            .contains(Route.of("BSMTPOUT", "one@tunnel.example.net"));
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(table.routeFor(Domain.of("a.example.org"))).contains(Route.of("BSMTPOUT", "two@tunnel.example.net"));

        Files.writeString(file, "a.example.org = no channel here\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(table.routeFor(Domain.of("a.example.org"))).as("a broken file keeps the previous table")
            .contains(Route.of("BSMTPOUT", "two@tunnel.example.net"));
    }

    @Test
    void badDomainForwardingTablesFailStartUpNamingTheEntry() throws Exception {
        Path file = temp.resolve("bad.properties");
        Files.writeString(file, "not a domain! = BSMTPOUT$x@tunnel.example.net\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> mailet(Map.of("domainForwarding", file.toString())))
            .isInstanceOf(MessagingException.class).hasMessageContaining("domainForwarding").hasMessageContaining("not");
        assertThatThrownBy(() -> mailet(Map.of("domainForwarding", temp.resolve("missing").toString())))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("MessageSwitch: init parameter domainForwarding '" + temp.resolve("missing")
                + "': Domain forwarding table " + temp.resolve("missing") + " is not usable: NoSuchFileException");
        assertThatThrownBy(() -> mailet(Map.of("permissionProcessor", " ")))
            .isInstanceOf(MessagingException.class).hasMessageContaining("permissionProcessor");
    }
}
