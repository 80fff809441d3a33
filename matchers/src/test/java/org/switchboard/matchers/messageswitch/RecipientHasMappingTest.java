package org.switchboard.matchers.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecipientHasMappingTest {
    private final MemoryRecipientRewriteTable table = new MemoryRecipientRewriteTable();
    private RecipientHasMapping matcher;

    @BeforeEach
    void setUp() throws Exception {
        table.setConfiguration(RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
        table.addMapping(MappingSource.fromUser("alias", Domain.of("example.com")), Mapping.address("bob@example.com"));
        table.addMapping(MappingSource.fromDomain(Domain.of("old.example")), Mapping.domain(Domain.of("example.com")));
        table.addMapping(MappingSource.fromUser("broken", Domain.of("example.com")), Mapping.error("550 no such user"));
        matcher = new RecipientHasMapping(table);
        matcher.init(FakeMatcherConfig.builder().matcherName("RecipientHasMapping").build());
    }

    @Test
    void matchesOnlyTheRecipientsTheTableRewritesOrRefuses() throws Exception {
        FakeMail mail = FakeMail.builder().name("m")
            .recipients("alias@example.com", "carol@old.example", "bob@example.com", "broken@example.com",
                "member1@remote.test", "member2@remote.test")
            .build();

        assertThat(matcher.match(mail)).containsExactly(new MailAddress("alias@example.com"),
            new MailAddress("carol@old.example"), new MailAddress("broken@example.com"));
    }

    @Test
    void aMailWithoutMappedRecipientsMatchesNone() throws Exception {
        FakeMail mail = FakeMail.builder().name("post").recipients("m1@r001.test", "m2@r002.test").build();

        assertThat(matcher.match(mail)).isEmpty();
    }

    @Test
    void aConditionIsRefused() {
        RecipientHasMapping withCondition = new RecipientHasMapping(table);
        assertThatThrownBy(() -> withCondition.init(FakeMatcherConfig.builder().matcherName("RecipientHasMapping")
            .condition("x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("takes no condition");
    }
}
