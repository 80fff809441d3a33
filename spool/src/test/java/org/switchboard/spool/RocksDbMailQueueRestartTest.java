package org.switchboard.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import reactor.core.publisher.Flux;

/** What the spool keeps across a stop (or a crash: records are synced when queued), read back by a new factory. */
class RocksDbMailQueueRestartTest {
    private static final MailQueueName SPOOL = MailQueueName.of("spool");
    private static final MailQueueName OUTGOING = MailQueueName.of("outgoing");

    @TempDir
    Path directory;

    private RocksDbMailQueueFactory open(long memoryBudget) throws Exception {
        return RocksDbMailQueueFactory.open(directory.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), memoryBudget);
    }

    private static MailImpl mail(String name, String body) throws Exception {
        MailImpl mail = MailImpl.builder().name(name)
            .sender("sender@example.com")
            .addRecipients("a@example.com", "b@example.net")
            .state("preprocess")
            .errorMessage("4.4.1 try again")
            .remoteHost("client.example.org")
            .remoteAddr("192.0.2.7")
            .addAttribute(new Attribute(AttributeName.of("org.switchboard.test"), AttributeValue.of("value é")))
            .addAttribute(new Attribute(AttributeName.of("count"), AttributeValue.of(42)))
            .addHeaderForRecipient(PerRecipientHeaders.Header.builder().name("Delivered-To").value("a@example.com").build(),
                new MailAddress("a@example.com"))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("s " + name).setText(body))
            .build();
        mail.setDsnParameters(DsnParameters.builder()
            .envId(DsnParameters.EnvId.of("env-" + name))
            .ret(DsnParameters.Ret.HDRS)
            .addRcptParameter(new MailAddress("a@example.com"),
                DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.FAILURE, DsnParameters.Notify.DELAY)))
            .build().orElseThrow());
        return mail;
    }

    private static String octets(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "memory budget {0}")
    @ValueSource(longs = {0, RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET})
    void everythingQueuedIsHandedOutAgainAfterARestartExceptWhatWasDone(long memoryBudget) throws Exception {
        MailImpl first = mail("first", "body one\r\n.dot line\r\n");
        MailImpl second = mail("second", "body two");
        MailImpl third = mail("third", "body three");
        String firstOctets = octets(first);
        try (RocksDbMailQueueFactory factory = open(memoryBudget)) {
            RocksDbMailQueue spool = factory.createQueue(SPOOL);
            spool.enQueue(first);
            spool.enQueue(second);
            spool.enQueue(third);
            factory.createQueue(OUTGOING).enQueue(mail("later", "retry me"), Duration.ofHours(1));

            // "first" is processed and done; "second" is handed out and the server dies before done
            List<MailQueueItem> items = new ArrayList<>();
            Flux.from(spool.deQueue()).take(2).doOnNext(items::add).blockLast(Duration.ofSeconds(10));
            assertThat(items).extracting(item -> item.getMail().getName()).containsExactly("first", "second");
            assertThat(octets(items.get(0).getMail())).isEqualTo(firstOctets);
            items.get(0).done(CompletionStatus.SUCCESS);
        }

        try (RocksDbMailQueueFactory factory = open(memoryBudget)) {
            assertThat(factory.listCreatedMailQueues()).containsExactlyInAnyOrder(SPOOL, OUTGOING);
            RocksDbMailQueue spool = factory.getQueue(SPOOL).orElseThrow();
            assertThat(spool.getSize()).isEqualTo(2);
            List<MailQueueItem> items = Flux.from(spool.deQueue()).take(2).collectList().block(Duration.ofSeconds(10));
            assertThat(items).extracting(item -> item.getMail().getName()).containsExactly("second", "third");
            Mail again = items.get(0).getMail();
            Mail original = mail("second", "body two");
            assertThat(octets(again)).isEqualTo(octets(second));
            assertThat(again.getMaybeSender()).isEqualTo(original.getMaybeSender());
            assertThat(again.getRecipients()).isEqualTo(original.getRecipients());
            assertThat(again.getState()).isEqualTo("preprocess");
            assertThat(again.getErrorMessage()).isEqualTo("4.4.1 try again");
            assertThat(again.getRemoteHost()).isEqualTo("client.example.org");
            assertThat(again.getRemoteAddr()).isEqualTo("192.0.2.7");
            assertThat(again.getAttribute(AttributeName.of("org.switchboard.test")))
                .contains(new Attribute(AttributeName.of("org.switchboard.test"), AttributeValue.of("value é")));
            assertThat(again.getAttribute(AttributeName.of("count")))
                .contains(new Attribute(AttributeName.of("count"), AttributeValue.of(42)));
            assertThat(again.dsnParameters()).isEqualTo(original.dsnParameters());
            assertThat(again.getPerRecipientSpecificHeaders()).isEqualTo(original.getPerRecipientSpecificHeaders());
            for (MailQueueItem item : items) {
                item.done(CompletionStatus.SUCCESS);
            }

            // the delayed mail keeps its due time: still waiting, visible to the administrator
            RocksDbMailQueue outgoing = factory.getQueue(OUTGOING).orElseThrow();
            assertThat(outgoing.browse()).toIterable()
                .singleElement()
                .satisfies(view -> assertThat(view.getNextDelivery()).hasValueSatisfying(due ->
                    assertThat(due.toInstant()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(50)))));
            assertThat(outgoing.flush()).isEqualTo(1);
            MailQueueItem later = Flux.from(outgoing.deQueue()).blockFirst(Duration.ofSeconds(10));
            assertThat(later.getMail().getName()).isEqualTo("later");
            later.done(CompletionStatus.SUCCESS);
        }

        try (RocksDbMailQueueFactory factory = open(memoryBudget)) {
            // nothing waits anywhere: no queue has a record to be recreated from
            assertThat(factory.listCreatedMailQueues()).isEmpty();
        }
    }

    @Test
    void closingAQueueLeavesItWorkingForItsOtherUsers() throws Exception {
        try (RocksDbMailQueueFactory factory = open(RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET)) {
            factory.createQueue(OUTGOING).close();
            RocksDbMailQueue outgoing = factory.getQueue(OUTGOING).orElseThrow();
            outgoing.enQueue(mail("after-close", "x"));
            assertThat(outgoing.getSize()).isEqualTo(1);
            assertThat(Flux.from(outgoing.deQueue()).blockFirst(Duration.ofSeconds(10)).getMail().getName())
                .isEqualTo("after-close");
        }
    }

    @Test
    void aRejectedMailIsKeptAndComesBackLater() throws Exception {
        try (RocksDbMailQueueFactory factory = open(RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET)) {
            RocksDbMailQueue spool = factory.createQueue(SPOOL);
            spool.enQueue(mail("poison", "x"));
            MailQueueItem item = Flux.from(spool.deQueue()).blockFirst(Duration.ofSeconds(10));
            item.done(CompletionStatus.REJECT);
            assertThat(spool.getSize()).isEqualTo(1);
            assertThat(spool.browse()).toIterable().singleElement()
                .satisfies(view -> assertThat(view.getNextDelivery()).hasValueSatisfying(due ->
                    assertThat(due.toInstant()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(4)))));
        }
    }
}
