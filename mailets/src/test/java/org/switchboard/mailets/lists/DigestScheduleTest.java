package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class DigestScheduleTest {
    // a Monday
    private static final ZonedDateTime NOW = ZonedDateTime.parse("2026-12-07T10:30:00Z");

    @Test
    void dailyAtATime() {
        DigestSchedule schedule = DigestSchedule.parse("daily 08:00");

        assertThat(schedule.lastDue(NOW)).isEqualTo(ZonedDateTime.parse("2026-12-07T08:00:00Z"));
        assertThat(schedule.lastDue(ZonedDateTime.parse("2026-12-07T07:59:00Z")))
            .isEqualTo(ZonedDateTime.parse("2026-12-06T08:00:00Z"));
    }

    @Test
    void weeklyOnADay() {
        DigestSchedule schedule = DigestSchedule.parse("WEEKLY friday 17:30");

        assertThat(schedule.weekDay()).isEqualTo(DayOfWeek.FRIDAY);
        assertThat(schedule.lastDue(NOW)).isEqualTo(ZonedDateTime.parse("2026-12-04T17:30:00Z"));
        assertThat(DigestSchedule.parse("WEEKLY MONDAY 10:30").lastDue(NOW)).as("that very minute").isEqualTo(NOW);
        assertThat(DigestSchedule.parse("WEEKLY MONDAY 11:00").lastDue(NOW))
            .isEqualTo(ZonedDateTime.parse("2026-11-30T11:00:00Z"));
    }

    @Test
    void monthlyOnADayOfTheMonth() {
        assertThat(DigestSchedule.parse("MONTHLY 15 9:00").lastDue(NOW))
            .isEqualTo(ZonedDateTime.parse("2026-11-15T09:00:00Z"));
        assertThat(DigestSchedule.parse("MONTHLY").lastDue(NOW)).isEqualTo(ZonedDateTime.parse("2026-12-01T00:00Z"));
    }

    @Test
    void defaultsAreMidnightMondayAndTheFirst() {
        assertThat(DigestSchedule.parse("DAILY").time()).isEqualTo(LocalTime.MIDNIGHT);
        assertThat(DigestSchedule.parse("WEEKLY").weekDay()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(DigestSchedule.parse("MONTHLY").monthDay()).isEqualTo(1);
        assertThat(DigestSchedule.DEFAULT).hasToString("DAILY 00:00");
    }

    @Test
    void wrongSchedulesSayWhatIsWrong() {
        assertThatThrownBy(() -> DigestSchedule.parse("HOURLY")).hasMessageContaining("DAILY, WEEKLY or MONTHLY");
        assertThatThrownBy(() -> DigestSchedule.parse("WEEKLY someday")).hasMessageContaining("no day of the week");
        assertThatThrownBy(() -> DigestSchedule.parse("MONTHLY 31")).hasMessageContaining("1 to 28");
        assertThatThrownBy(() -> DigestSchedule.parse("DAILY 25:00")).hasMessageContaining("no time");
        assertThatThrownBy(() -> DigestSchedule.parse("DAILY MONDAY")).hasMessageContaining("DAILY takes only a time");
        assertThatThrownBy(() -> DigestSchedule.parse("DAILY 08:00 extra")).hasMessageContaining("unexpected");
    }
}
