package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class BounceRecordTest {
    private static final Duration STALE = Duration.ofDays(7);
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    private static BounceRecord bob() throws Exception {
        return BounceRecord.none(new MailAddress("bob@example.org"));
    }

    @Test
    void hardCountsOneSoftHalfAndOnlyOneBounceADay() throws Exception {
        BounceRecord record = bob().counted(BounceKind.SOFT, DAY, STALE);
        assertThat(record.score()).isEqualTo(0.5);
        assertThat(record.counted(BounceKind.HARD, DAY, STALE)).isEqualTo(record);
        assertThat(record.counted(BounceKind.HARD, DAY.plusDays(1), STALE).score()).isEqualTo(1.5);
    }

    @Test
    void scoreStartsAgainAfterAStalePeriod() throws Exception {
        BounceRecord record = bob().counted(BounceKind.HARD, DAY, STALE).counted(BounceKind.HARD, DAY.plusDays(1), STALE);
        assertThat(record.counted(BounceKind.HARD, DAY.plusDays(9), STALE).score()).isEqualTo(1.0);
        assertThat(record.counted(BounceKind.HARD, DAY.plusDays(8), STALE).score()).isEqualTo(3.0);
    }

    @Test
    void disabledMemberCountsNoMoreAndGetsRemindersAtTheInterval() throws Exception {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        BounceRecord disabled = bob().counted(BounceKind.HARD, DAY, STALE).disabledAt(now);
        assertThat(disabled.isDisabled()).isTrue();
        assertThat(disabled.counted(BounceKind.HARD, DAY.plusDays(1), STALE)).isEqualTo(disabled);
        assertThat(disabled.noticeDue(now.plus(Duration.ofDays(6)), Duration.ofDays(7))).isFalse();
        assertThat(disabled.noticeDue(now.plus(Duration.ofDays(7)), Duration.ofDays(7))).isTrue();
        assertThat(disabled.noticed(now.plus(Duration.ofDays(7))).notices()).isEqualTo(1);
        assertThat(bob().noticeDue(now, Duration.ofDays(7))).as("enabled: no reminders").isFalse();
    }

    @Test
    void verpAddressCarriesTheMemberBothWays() throws Exception {
        MailAddress verp = new MailAddress("staff-bounces+bob=example.org@example.com");
        assertThat(Verp.member(verp)).contains(new MailAddress("bob@example.org"));
        assertThat(DistributionList.commandOf(verp)).contains(new DistributionList.Command(
            new MailAddress("staff@example.com"), DistributionList.BOUNCES));
        assertThat(Verp.member(new MailAddress("staff-bounces@example.com"))).isEmpty();
        assertThat(Verp.member(new MailAddress("john+tag@example.com"))).isEmpty();
    }
}
