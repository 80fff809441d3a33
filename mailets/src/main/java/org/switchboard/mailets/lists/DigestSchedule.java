package org.switchboard.mailets.lists;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/**
 * When a list's digest is due, from its {@code ieListDigestInterval}: {@code DAILY [HH:MM]},
 * {@code WEEKLY [day] [HH:MM]} (day: MONDAY ... SUNDAY, default MONDAY) or {@code MONTHLY [day of month] [HH:MM]}
 * (1-28, default 1); the time, in the server's time zone, defaults to 00:00. Words are case-insensitive.
 */
public record DigestSchedule(Period period, DayOfWeek weekDay, int monthDay, LocalTime time) {
    /** How often a digest is sent. */
    public enum Period { DAILY, WEEKLY, MONTHLY }

    public static final DigestSchedule DEFAULT = new DigestSchedule(Period.DAILY, DayOfWeek.MONDAY, 1, LocalTime.MIDNIGHT);

    /** The schedule the text describes; {@link IllegalArgumentException} saying what is wrong otherwise. */
    public static DigestSchedule parse(String text) {
        String[] words = text.trim().toUpperCase(Locale.ROOT).split("\\s+");
        Period period;
        try {
            period = Period.valueOf(words[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("digest schedule '" + text + "': starts with DAILY, WEEKLY or MONTHLY");
        }
        int next = 1;
        DayOfWeek weekDay = DEFAULT.weekDay;
        int monthDay = DEFAULT.monthDay;
        if (next < words.length && !words[next].contains(":")) {
            if (period == Period.WEEKLY) {
                weekDay = weekDay(text, words[next]);
            } else if (period == Period.MONTHLY) {
                monthDay = monthDay(text, words[next]);
            } else {
                throw new IllegalArgumentException("digest schedule '" + text + "': DAILY takes only a time");
            }
            next++;
        }
        LocalTime time = DEFAULT.time;
        if (next < words.length) {
            try {
                time = LocalTime.parse(words[next].length() == 4 ? "0" + words[next] : words[next]);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("digest schedule '" + text + "': '" + words[next]
                    + "' is no time (HH:MM)");
            }
            next++;
        }
        if (next < words.length) {
            throw new IllegalArgumentException("digest schedule '" + text + "': unexpected '" + words[next] + "'");
        }
        return new DigestSchedule(period, weekDay, monthDay, time);
    }

    /** The last time a digest was due, at or before now. */
    public ZonedDateTime lastDue(ZonedDateTime now) {
        ZonedDateTime candidate = switch (period) {
            case DAILY -> now.with(time);
            case WEEKLY -> now.with(TemporalAdjusters.previousOrSame(weekDay)).with(time);
            case MONTHLY -> now.withDayOfMonth(monthDay).with(time);
        };
        if (!candidate.isAfter(now)) {
            return candidate;
        }
        return switch (period) {
            case DAILY -> candidate.minusDays(1);
            case WEEKLY -> candidate.minusWeeks(1);
            case MONTHLY -> candidate.minusMonths(1);
        };
    }

    @Override
    public String toString() {
        return switch (period) {
            case DAILY -> "DAILY " + time;
            case WEEKLY -> "WEEKLY " + weekDay + " " + time;
            case MONTHLY -> "MONTHLY " + monthDay + " " + time;
        };
    }

    private static DayOfWeek weekDay(String text, String word) {
        try {
            return DayOfWeek.valueOf(word);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("digest schedule '" + text + "': '" + word + "' is no day of the week");
        }
    }

    private static int monthDay(String text, String word) {
        try {
            int day = Integer.parseInt(word);
            if (day >= 1 && day <= 28) {
                return day;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new IllegalArgumentException("digest schedule '" + text + "': the day of the month is 1 to 28, not '"
            + word + "'");
    }
}
