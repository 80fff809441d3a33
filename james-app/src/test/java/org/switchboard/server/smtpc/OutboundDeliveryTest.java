package org.switchboard.server.smtpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailets.smtpc.SmtpcAttributes;
import org.switchboard.mailets.smtpc.SmtpcQueueRouter;
import org.switchboard.server.smtpc.SmtpcSettings.HostAndPort;
import org.switchboard.server.smtpc.SmtpcSettings.RoutingOrder;
import org.switchboard.server.smtpd.BodyParameterHook;
import org.switchboard.server.smtpd.MtPriorityHook;
import org.switchboard.spool.RocksDbMailQueue;
import org.switchboard.spool.RocksDbMailQueueFactory;

import com.google.common.collect.ImmutableMap;

/**
 * SMTPC end to end inside one JVM: the queue router puts mail on a real RocksDB spool queue, the delivery service
 * sends it over real sockets to {@link SmtpPeer}s; bounces and delay notices are what the mailet context records.
 */
class OutboundDeliveryTest {
    private static final Duration RUN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration IDLE = Duration.ofSeconds(2);

    @TempDir
    Path directory;
    private RocksDbMailQueueFactory queues;
    private RocksDbMailQueue queue;
    private FakeMailContext context;
    private SmtpcQueueRouter router;
    private OutboundDelivery delivery;
    private final Map<String, HostAndPort> hosts = new HashMap<>();
    private final Map<String, DomainProfile> profiles = new HashMap<>();
    private SmtpPeer peer;

    @BeforeEach
    void setUp() throws Exception {
        queues = RocksDbMailQueueFactory.open(directory.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), 64L * 1024 * 1024);
        queue = queues.createQueue(MailQueueName.of("smtpc"));
        context = FakeMailContext.defaultContext();
        router = new SmtpcQueueRouter(queues);
        router.init(FakeMailetConfig.builder().mailetName("relay").mailetContext(context).build());
        peer = new SmtpPeer();
        hosts.put("peer.test", new HostAndPort("127.0.0.1", peer.port()));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (delivery != null) {
            delivery.close();
        }
        peer.close();
        queues.close();
    }

    private void start(Optional<RelayHosts> relays) {
        SmtpcSettings settings = new SmtpcSettings("smtpc", "client.test", RoutingOrder.HOSTS, Optional.empty(), 25,
            Optional.empty(), Optional.empty(), Duration.ofSeconds(1), List.of(), Duration.ZERO, 1000, 1, Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            true, profile(2, 50, false), Map.copyOf(profiles));
        MailRouting routing = new MailRouting(RoutingOrder.HOSTS, () -> new HostTable(Map.copyOf(hosts)), new DnsLookup(), 25, relays);
        delivery = new OutboundDelivery(settings, queue, context, routing, Clock.systemUTC());
        delivery.start();
    }

    private void start() {
        start(Optional.empty());
    }

    private static DomainProfile profile(int maxSessions, int maxMessagesPerSession, boolean hold) {
        return new DomainProfile(RUN_INTERVAL, 100, maxSessions, maxMessagesPerSession, IDLE, Duration.ofDays(1), hold);
    }

    private void send(String subject, String sender, String... recipients) throws Exception {
        send(MimeMessageBuilder.mimeMessageBuilder().setSubject(subject).setText("body of " + subject).build(), sender, recipients);
    }

    private void send(MimeMessage message, String sender, String... recipients) throws MessagingException {
        MailImpl.Builder mail = MailImpl.builder().name("mail-" + message.getSubject().replace(' ', '-'))
            .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(sender)))
            .mimeMessage(message);
        for (String recipient : recipients) {
            mail.addRecipient(recipient);
        }
        MailImpl built = mail.build();
        router.service(built);
    }

    @Test
    void oneConnectionCarriesSeveralMessagesUpToTheSessionLimit() throws Exception {
        profiles.put("peer.test", profile(1, 3, true));
        start();
        for (int i = 1; i <= 7; i++) {
            send("m" + i, "alice@origin.test", "bob@peer.test");
        }
        await().until(() -> delivery.channels().toString().contains("held 7"));
        assertThat(delivery.flush("peer.test")).isEqualTo(7);

        await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 7);
        // 3 + 3 + 1 over three connections (the gate is the first message of the first)
        assertThat(peer.connections.get()).isEqualTo(3);
        assertThat(peer.received).extracting(SmtpPeer.Received::connection).containsExactly(1, 1, 1, 2, 2, 2, 3);
        assertThat(peer.received.get(0).from()).isEqualTo("<alice@origin.test>");
        assertThat(peer.received.get(0).recipients()).containsExactly("<bob@peer.test>");
    }

    @Test
    void mailArrivingOneAtATimeReusesTheOpenConnection() throws Exception {
        start();
        for (int i = 1; i <= 3; i++) {
            send("one by one " + i, "alice@origin.test", "bob@peer.test");
            int delivered = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == delivered);
        }
        assertThat(peer.connections.get()).isEqualTo(1);
        assertThat(peer.received).extracting(SmtpPeer.Received::connection).containsExactly(1, 1, 1);
    }

    @Test
    void aConnectionThePeerClosedWhileIdleIsReplacedWithoutDeferringTheMail() throws Exception {
        start();
        send("before", "alice@origin.test", "bob@peer.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1);
        peer.dropConnections();
        Thread.sleep(700);

        send("after", "alice@origin.test", "bob@peer.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 2);
        assertThat(peer.received).extracting(SmtpPeer.Received::connection).containsExactly(1, 2);
        assertThat(delivery.channels().toString()).contains("deferred 0");
    }

    @Test
    void theEnvelopeParametersAreRelayedToAPeerThatSupportsThem() throws Exception {
        peer.extraEhlo = "\r\n250-DSN\r\n250-MT-PRIORITY";
        start();
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder().setSubject("dsn").setText("d").build();
        MailImpl mail = MailImpl.builder().name("mail-dsn").sender("alice@origin.test")
            .addRecipient("bob@peer.test").addRecipient("carol@peer.test")
            .mimeMessage(message).addAttribute(new Attribute(MtPriorityHook.ATTRIBUTE, AttributeValue.of(3))).build();
        mail.setDsnParameters(DsnParameters.of(Optional.of(DsnParameters.EnvId.of("env+2B1")), Optional.of(DsnParameters.Ret.HDRS),
            ImmutableMap.of(new MailAddress("bob@peer.test"), DsnParameters.RecipientDsnParameters.of(
                    EnumSet.of(DsnParameters.Notify.FAILURE, DsnParameters.Notify.DELAY), new MailAddress("robert+x@origin.test")),
                new MailAddress("carol@peer.test"), notify(DsnParameters.Notify.SUCCESS))).get());
        router.service(mail);

        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1);
        assertThat(peer.received.get(0).from()).isEqualTo("<alice@origin.test> RET=HDRS MT-PRIORITY=3 ENVID=env+2B1");
        // each recipient its own NOTIFY and ORCPT (xtext), its address when none was received
        assertThat(peer.received.get(0).recipients()).containsExactly(
            "<bob@peer.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;robert+2Bx@origin.test",
            "<carol@peer.test> NOTIFY=SUCCESS ORCPT=rfc822;carol@peer.test");
        Thread.sleep(500);
        assertThat(context.getSentMails()).as("the peer reports success itself").isEmpty();
    }

    @Test
    void aPeerWithoutDsnGetsNoDsnParametersAndTheSenderWhoAskedForSuccessIsToldRelayed() throws Exception {
        start();
        MailImpl mail = MailImpl.builder().name("mail-relayed").sender("alice@origin.test")
            .addRecipient("bob@peer.test").addRecipient("carol@peer.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("relayed").setText("r").build()).build();
        mail.setDsnParameters(DsnParameters.of(Optional.of(DsnParameters.EnvId.of("env1")), Optional.of(DsnParameters.Ret.FULL),
            ImmutableMap.of(new MailAddress("bob@peer.test"), notify(DsnParameters.Notify.SUCCESS, DsnParameters.Notify.FAILURE),
                new MailAddress("carol@peer.test"), notify(DsnParameters.Notify.FAILURE))).get());
        router.service(mail);

        await().atMost(Duration.ofSeconds(10)).until(() -> context.getSentMails().size() == 1);
        assertThat(peer.received.get(0).from()).isEqualTo("<alice@origin.test>");
        assertThat(peer.received.get(0).recipients()).containsExactly("<bob@peer.test>", "<carol@peer.test>");
        FakeMailContext.SentMail relayed = context.getSentMails().get(0);
        assertThat(relayed.getState()).isEqualTo(OutboundDelivery.RELAYED_PROCESSOR);
        assertThat(relayed.getRecipients()).containsExactly(new MailAddress("bob@peer.test"));
        assertThat(relayed.getAttributes().get(OutboundDelivery.DELIVERY_ERROR).getValue().value().toString())
            .startsWith("250 2.0.0 relayed to 127.0.0.1:").endsWith("which does not announce DSN");
    }

    @Test
    void eightBitMailIsConvertedForAPeerWithout8BitMimeAndKeptWithItsDeclarationForOneWithIt() throws Exception {
        String eightBit = "From: alice@origin.test\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n";
        peer.announce8BitMime = false;
        start();
        sendOctets("seven", eightBit.getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1);
        assertThat(peer.received.get(0).from()).isEqualTo("<alice@origin.test>");
        assertThat(peer.received.get(0).message()).contains("Content-Transfer-Encoding: quoted-printable\n\nGr=C3=BC=C3=9Fe\n")
            .doesNotContain("Content-Transfer-Encoding: 8bit");

        peer.announce8BitMime = true;
        peer.dropConnections();
        Thread.sleep(700);
        sendOctets("eight", eightBit.getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 2);
        assertThat(peer.received.get(1).from()).isEqualTo("<alice@origin.test> BODY=8BITMIME");
        assertThat(peer.received.get(1).message()).contains("Content-Transfer-Encoding: 8bit\n\n"
            + new String("Grüße".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    @Test
    void eightBitMailThatCannotBeConvertedBouncesAndNeverReachesA7BitPeer() throws Exception {
        peer.announce8BitMime = false;
        start();
        sendOctets("header", "From: alice@origin.test\r\nSubject: Grüße\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(10)).until(() -> context.getSentMails().size() == 1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getAttributes().get(OutboundDelivery.DELIVERY_ERROR).getValue().value().toString())
            .startsWith("554 5.6.3 ").contains("header field Subject");
        assertThat(peer.received).isEmpty();
        await().until(() -> queue.getSize() == 0);
    }

    /** A mail received with BODY=8BITMIME, its message as the octets given. */
    private void sendOctets(String name, byte[] octets) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(octets));
        router.service(MailImpl.builder().name("mail-" + name).sender("alice@origin.test").addRecipient("bob@peer.test")
            .mimeMessage(message).addAttribute(new Attribute(BodyParameterHook.ATTRIBUTE, AttributeValue.of("8BITMIME"))).build());
    }

    private Optional<String> whyQueued(String mailName) {
        return delivery.queuedMail(mailName).map(QueuedMailState::explain);
    }

    private static DsnParameters.RecipientDsnParameters notify(DsnParameters.Notify... notify) {
        return DsnParameters.RecipientDsnParameters.of(EnumSet.copyOf(List.of(notify)));
    }

    @Test
    void heldMailGoesOutInPriorityWeightOrder() throws Exception {
        profiles.put("peer.test", profile(1, 50, true));
        start();
        send(MimeMessageBuilder.mimeMessageBuilder().setSubject("bulk").addHeader("Precedence", "bulk").setText("x").build(),
            "a@origin.test", "bob@peer.test");
        send(MimeMessageBuilder.mimeMessageBuilder().setSubject("normal big").setText("y".repeat(300 * 1024)).build(),
            "a@origin.test", "bob@peer.test");
        send(MimeMessageBuilder.mimeMessageBuilder().setSubject("normal small").setText("z").build(),
            "a@origin.test", "bob@peer.test");
        send(MimeMessageBuilder.mimeMessageBuilder().setSubject("urgent").addHeader("Priority", "urgent").setText("u").build(),
            "a@origin.test", "bob@peer.test");
        MimeMessage mtPriority = MimeMessageBuilder.mimeMessageBuilder().setSubject("mt priority").setText("p").build();
        MailImpl prioritized = MailImpl.builder().name("mail-mt").sender("a@origin.test").addRecipient("bob@peer.test")
            .mimeMessage(mtPriority).addAttribute(new Attribute(MtPriorityHook.ATTRIBUTE, AttributeValue.of(7))).build();
        router.service(prioritized);
        await().until(() -> delivery.channels().toString().contains("held 5"));
        assertThat(whyQueued("mail-bulk")).get().asString()
            .contains("held until the peer sends ETRN").contains("weight 14001 = precedence 14 x Mp 1000 + size 1 KB");

        delivery.flush("peer.test");

        await().atMost(Duration.ofSeconds(20)).until(() -> peer.received.size() == 5);
        // precedence 2 (MT-PRIORITY 7), 4 (urgent), 9 (small, then 300 KB), 14 (bulk)
        assertThat(peer.subjects()).containsExactly("mt priority", "urgent", "normal small", "normal big", "bulk");
    }

    @Test
    void aFailedFirstMessageHoldsBackTheRestOfItsDomainUntilTheNextRun() throws Exception {
        profiles.put("peer.test", profile(1, 50, false));
        peer.rcptReply = "450 4.2.1 mailbox busy";
        start();
        send("first", "a@origin.test", "bob@peer.test");
        send("second", "a@origin.test", "bob@peer.test");
        send("third", "a@origin.test", "bob@peer.test");
        // new mail is tried at once: three RCPTs, all deferred
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.rcptCommands.get() == 3
            && delivery.channels().toString().contains("deferred 3"));
        int before = peer.rcptCommands.get();

        // the next runs try the gate alone, each time
        Thread.sleep(3 * RUN_INTERVAL.toMillis());
        int gateTries = peer.rcptCommands.get() - before;
        assertThat(gateTries).isBetween(1, 4);
        assertThat(delivery.channels().toString()).contains("deferred 3").contains("450 4.2.1 mailbox busy");
        assertThat(whyQueued("mail-first").orElseThrow()).contains("last reply 450 4.2.1 mailbox busy");

        // the peer recovers: the gate goes, then the others follow
        peer.rcptReply = "250 2.1.5 ok";
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 3);
        assertThat(queue.getSize()).isZero();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void aPermanentRefusalBouncesOnceAndNeverToTheNullSender() throws Exception {
        peer.rcptReply = "550 5.1.1 no such user";
        start();
        send("refused", "alice@origin.test", "nobody@peer.test");
        send("refused notice", null, "nobody@peer.test");

        await().atMost(Duration.ofSeconds(10)).until(() -> peer.rcptCommands.get() == 2 && queue.getSize() == 0);
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("nobody@peer.test"));
        assertThat(bounce.getAttributes().get(OutboundDelivery.DELIVERY_ERROR).getValue().value())
            .isEqualTo("550 5.1.1 no such user");
    }

    @Test
    void aDomainMissingFromTheHostTableFailsAtOnce() throws Exception {
        start();
        send("lost", "alice@origin.test", "bob@unknown.test");

        await().atMost(Duration.ofSeconds(10)).until(() -> context.getSentMails().size() == 1);
        assertThat(context.getSentMails().get(0).getAttributes().get(OutboundDelivery.DELIVERY_ERROR).getValue().value())
            .isEqualTo("550 5.1.2 domain unknown.test is not in the host table");
        await().until(() -> queue.getSize() == 0);
    }

    @Test
    void aDeferredMailKeepsItsHistoryAcrossARestart() throws Exception {
        peer.rcptReply = "451 4.3.0 try later";
        profiles.put("peer.test", new DomainProfile(Duration.ofHours(1), 100, 1, 50, IDLE, Duration.ofDays(1), false));
        start();
        send("kept", "alice@origin.test", "bob@peer.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> delivery.channels().toString().contains("deferred 1"));
        delivery.close();
        queues.close();

        queues = RocksDbMailQueueFactory.open(directory.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), 64L * 1024 * 1024);
        queue = queues.createQueue(MailQueueName.of("smtpc"));
        start();
        await().atMost(Duration.ofSeconds(10)).until(() -> whyQueued("mail-kept").isPresent());
        assertThat(whyQueued("mail-kept").get()).contains("deferred").contains("attempts 1")
            .contains("last reply 451 4.3.0 try later");
        assertThat(peer.rcptCommands.get()).isEqualTo(1);
    }

    @Test
    void relayFailsOverToTheSecondaryAndBackWhenThePrimaryAnswersAgain() throws Exception {
        int primaryPort;
        try (ServerSocket unused = new ServerSocket(0)) {
            primaryPort = unused.getLocalPort();
        }
        Hop primary = new Hop("127.0.0.1", "127.0.0.1", primaryPort);
        Hop secondary = new Hop("127.0.0.1", "127.0.0.1", peer.port());
        hosts.clear();
        RelayHosts relays = new RelayHosts(primary, Optional.of(secondary), Duration.ofSeconds(1), Clock.systemUTC());
        start(Optional.of(relays));

        send("via secondary", "alice@origin.test", "bob@far.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1);
        assertThat(relays.usingSecondary()).isTrue();

        try (SmtpPeer primaryPeer = startPeerOn(primaryPort)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !relays.usingSecondary());
            send("via primary", "alice@origin.test", "bob@far.test");
            await().atMost(Duration.ofSeconds(10)).until(() -> primaryPeer.received.size() == 1);
            assertThat(primaryPeer.subjects()).containsExactly("via primary");
        }
        assertThat(peer.subjects()).containsExactly("via secondary");
    }

    @Test
    void aRelayConfiguredForEtrnIsAskedForOurMailAtEachConnectionAndPeriodically() throws Exception {
        Hop relay = new Hop("127.0.0.1", "127.0.0.1", peer.port());
        hosts.clear();
        start(Optional.of(new RelayHosts(relay, Optional.empty(), Duration.ofSeconds(1), List.of("client.test", "branch.test"),
            Duration.ofSeconds(2), Clock.systemUTC())));

        // at start: a session only to ask (dial-up style), then again every 2 seconds
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.etrnCommands.size() >= 4);
        assertThat(peer.received).isEmpty();
        assertThat(peer.etrnCommands.subList(0, 2)).containsExactly("1 ETRN client.test", "1 ETRN branch.test");

        // a session that delivers mail asks as well, before the mail
        int before = peer.connections.get();
        send("relayed", "alice@origin.test", "bob@far.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1);
        int deliveringConnection = peer.received.get(0).connection();
        assertThat(deliveringConnection).isGreaterThan(before);
        assertThat(peer.etrnCommands).contains(deliveringConnection + " ETRN client.test");
    }

    private static SmtpPeer startPeerOn(int port) throws IOException {
        return new SmtpPeer(port);
    }

    @Test
    void everyDomainCopyIsQueuedWhenTheRouterReturns() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            recipients.add("member" + i + "@d" + (i % 40) + ".test");
        }
        send("fan-out", "list-bounces@origin.test", recipients.toArray(String[]::new));

        Map<String, List<String>> queued = new HashMap<>();
        ManageableMailQueue.MailQueueIterator browse = queue.browse();
        try {
            browse.forEachRemaining(item -> queued.put(
                item.getMail().getAttribute(SmtpcAttributes.DOMAIN).orElseThrow().getValue().value().toString(),
                item.getMail().getRecipients().stream().map(MailAddress::asString).toList()));
        } finally {
            browse.close();
        }
        assertThat(queued).hasSize(40);
        assertThat(queued.get("d7.test")).containsExactly("member7@d7.test", "member47@d7.test", "member87@d7.test");
    }

    @Test
    void aMailForOneDomainIsQueuedItselfAndEndsInTheRouter() throws Exception {
        MailImpl mail = MailImpl.builder().name("one-domain").sender(new MailAddress("alice@origin.test"))
            .addRecipient("bob@peer.test").addRecipient("dave@PEER.test")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("one domain").setText("body").build())
            .state("transport")
            .build();
        router.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        ManageableMailQueue.MailQueueIterator browse = queue.browse();
        try {
            Mail queued = browse.next().getMail();
            assertThat(queued.getName()).isEqualTo("one-domain");
            assertThat(queued.getState()).isEqualTo(Mail.DEFAULT);
            assertThat(queued.getRecipients()).extracting(MailAddress::asString)
                .containsExactly("bob@peer.test", "dave@peer.test");
            assertThat(queued.getAttribute(SmtpcAttributes.DOMAIN).orElseThrow().getValue().value()).isEqualTo("peer.test");
            assertThat(new String(queued.getMessage().getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("body");
            assertThat(browse.hasNext()).isFalse();
        } finally {
            browse.close();
        }
    }

    @Test
    void recipientsOfSeveralDomainsGoToTheirOwnChannels() throws Exception {
        SmtpPeer other = new SmtpPeer();
        try (other) {
            hosts.put("other.test", new HostAndPort("127.0.0.1", other.port()));
            start();
            send("split", "alice@origin.test", "bob@peer.test", "carol@other.test", "dave@peer.test");
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.received.size() == 1 && other.received.size() == 1);
            assertThat(peer.received.get(0).recipients()).containsExactly("<bob@peer.test>", "<dave@peer.test>");
            assertThat(other.received.get(0).recipients()).containsExactly("<carol@other.test>");
        }
        assertThat(List.of(peer.connections.get())).containsExactly(1);
    }
}
