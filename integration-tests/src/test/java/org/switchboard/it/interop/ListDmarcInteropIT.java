package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.ListClients;
import org.switchboard.it.MailAccess;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.PackagedServer;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * DMARC mitigation of the Distribution List Manager against a real DNS server (Debian's dnsmasq, the server's only
 * resolver): {@code strict.test} publishes {@code _dmarc} {@code p=reject}, {@code relaxed.test} {@code p=none}. A post
 * from the first reaches the list's member with the list as From and the author as Reply-To; one from the second keeps
 * its From.
 */
@Tag("interop")
class ListDmarcInteropIT {
    private static final String PASSWORD = "Dmarc-list-1357";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    private static Dnsmasq dns;
    private static PackagedServer server;

    @BeforeAll
    static void start() throws Exception {
        dns = Dnsmasq.start(temp.resolve("dns"), List.of(
            "txt-record=_dmarc.strict.test,\"v=DMARC1; p=reject; adkim=s\"",
            "txt-record=_dmarc.relaxed.test,\"v=DMARC1; p=none\""));
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        server.rewrite("dnsservice.xml", "<autodiscover>true</autodiscover>",
            "<autodiscover>false</autodiscover><servers><server>" + dns.address() + "</server></servers>");
        server.startWith("example.com", PASSWORD, "alice@example.com");
        try (LDAPConnection ldap = ListClients.admin(server)) {
            ldap.add(new Entry("dn: mail=talk@example.com,dc=example,dc=com", "objectClass: top", "objectClass: ielist",
                "mail: talk@example.com", "description: Talk", "ieListPosting: OPEN",
                "ieListMember: alice@example.com", "ieListDmarc: MUNGE"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            PackagedServer.closeKeepingLog(server, "ListDmarcInteropIT");
        } finally {
            if (dns != null) {
                dns.close();
            }
        }
    }

    @Test
    void postFromARejectDomainGoesOutWithTheListAsFrom() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "pat@strict.test", "talk@example.com", "strict author", id, "");

        ImapMessage received = MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id,
            DELIVERY);
        assertThat(received.text()).contains("From: \"pat@strict.test via Talk\" <talk@example.com>")
            .contains("Reply-To: pat@strict.test").doesNotContain("From: pat@strict.test\r\n");
    }

    @Test
    void postFromADomainWithoutAStrictPolicyKeepsItsFrom() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "sam@relaxed.test", "talk@example.com", "relaxed author", id, "");

        ImapMessage received = MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id,
            DELIVERY);
        assertThat(received.text()).contains("From: sam@relaxed.test\r\n").doesNotContain("via Talk");
    }
}
