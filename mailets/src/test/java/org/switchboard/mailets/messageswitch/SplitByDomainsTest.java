package org.switchboard.mailets.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class SplitByDomainsTest {
    private static final AttributeName CHANNEL = AttributeName.of("org.switchboard.input-channel");

    /** The spool: what was put on it, with the state and recipients it had then. */
    private static final class RecordingSpool implements MailQueue, MailQueueFactory<MailQueue> {
        final List<String> states = new ArrayList<>();
        final List<List<String>> recipients = new ArrayList<>();
        final List<Optional<Attribute>> channels = new ArrayList<>();
        final List<MailQueueName> created = new ArrayList<>();

        @Override
        public void enQueue(Mail mail) {
            states.add(mail.getState());
            recipients.add(mail.getRecipients().stream().map(MailAddress::asString).toList());
            channels.add(mail.getAttribute(CHANNEL));
        }

        @Override
        public void enQueue(Mail mail, Duration delay) {
            enQueue(mail);
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return Mono.fromRunnable(() -> enQueue(mail));
        }

        @Override
        public Flux<MailQueueItem> deQueue() {
            return Flux.empty();
        }

        @Override
        public MailQueueName getName() {
            return MailQueueFactory.SPOOL;
        }

        @Override
        public void close() {
        }

        @Override
        public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
            return Optional.of(this);
        }

        @Override
        public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
            created.add(name);
            return this;
        }

        @Override
        public Set<MailQueueName> listCreatedMailQueues() {
            return Set.copyOf(created);
        }
    }

    private final RecordingSpool spool = new RecordingSpool();

    private SplitByDomains mailet(String maxRecipients) throws MessagingException {
        SplitByDomains mailet = new SplitByDomains(spool);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("split")
            .mailetContext(FakeMailContext.defaultContext()).setProperty("processor", "preprocess");
        if (maxRecipients != null) {
            config.setProperty("maxRecipients", maxRecipients);
        }
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(int recipients, int domains) throws Exception {
        List<MailAddress> addresses = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            addresses.add(new MailAddress("m" + i + "@d" + (i % domains) + ".test"));
        }
        return FakeMail.builder().name("post").state("root").sender("list-bounces@example.com")
            .recipients(addresses).attribute(new Attribute(CHANNEL, AttributeValue.of("DL"))).build();
    }

    @Test
    void aMailOfManyRecipientsBecomesMailsOfWholeDomainsOnTheSpool() throws Exception {
        FakeMail post = mail(30, 10);

        mailet("7").service(post);

        // 3 recipients a domain: two domains a part
        assertThat(post.getRecipients()).extracting(MailAddress::asString)
            .containsExactly("m0@d0.test", "m10@d0.test", "m20@d0.test", "m1@d1.test", "m11@d1.test", "m21@d1.test");
        assertThat(post.getState()).isEqualTo("root");
        assertThat(spool.recipients).hasSize(4);
        assertThat(spool.recipients.get(0)).containsExactly("m2@d2.test", "m12@d2.test", "m22@d2.test",
            "m3@d3.test", "m13@d3.test", "m23@d3.test");
        assertThat(spool.recipients.stream().mapToInt(List::size).sum()).isEqualTo(24);
        assertThat(spool.states).containsOnly("preprocess");
        // the parts keep the original's attributes (its input channel); no SENT_BY_MAILET mark
        assertThat(spool.channels).containsOnly(Optional.of(new Attribute(CHANNEL, AttributeValue.of("DL"))));
        assertThat(spool.created).containsExactly(MailQueueFactory.SPOOL);
    }

    @Test
    void aMailWithinTheLimitOrOfOneLargeDomainIsLeftAlone() throws Exception {
        SplitByDomains mailet = mailet(null);
        FakeMail small = mail(SplitByDomains.DEFAULT_MAX_RECIPIENTS, 100);
        FakeMail oneDomain = mail(1500, 1);

        mailet.service(small);
        mailet.service(oneDomain);

        assertThat(spool.recipients).isEmpty();
        assertThat(small.getRecipients()).hasSize(SplitByDomains.DEFAULT_MAX_RECIPIENTS);
        assertThat(oneDomain.getRecipients()).hasSize(1500);
    }

    @Test
    void aDomainLargerThanTheLimitIsAPartOfItsOwn() throws Exception {
        List<MailAddress> recipients = new ArrayList<>();
        recipients.add(new MailAddress("a@small.test"));
        for (int i = 0; i < 5; i++) {
            recipients.add(new MailAddress("b" + i + "@big.test"));
        }
        recipients.add(new MailAddress("c@small.test"));
        recipients.add(new MailAddress("d@other.test"));

        assertThat(SplitByDomains.parts(recipients, 3)).extracting(part -> part.stream().map(MailAddress::asString).toList())
            .containsExactly(List.of("a@small.test", "c@small.test"),
                List.of("b0@big.test", "b1@big.test", "b2@big.test", "b3@big.test", "b4@big.test"),
                List.of("d@other.test"));
    }

    @Test
    void badParametersFailTheStart() {
        assertThatThrownBy(() -> mailet("0")).isInstanceOf(MessagingException.class).hasMessageContaining("maxRecipients");
        assertThatThrownBy(() -> mailet("many")).isInstanceOf(MessagingException.class).hasMessageContaining("maxRecipients");
        assertThatThrownBy(() -> new SplitByDomains(spool).init(FakeMailetConfig.builder().mailetName("split").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("processor");
    }
}
