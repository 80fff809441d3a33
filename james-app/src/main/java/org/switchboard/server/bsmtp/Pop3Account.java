package org.switchboard.server.bsmtp;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.switchboard.mailets.bsmtp.RecipientDomains;

/**
 * One tunnel mailbox the decoder picks up by POP3 ({@code <account>} of {@code conf/bsmtp.xml}). The password is
 * kept here only; {@link #toString()} never shows it.
 */
record Pop3Account(String name, String host, int port, Security security, Optional<Path> trustedCertificate,
                   String user, String password, Duration interval, Optional<TimeWindow> window,
                   Set<MailAddress> encoders, RecipientDomains allowedDomains) {

    /** How the connection is protected: TLS from the first byte (POP3S), STLS required, or none (loopback tests). */
    enum Security { POP3S, STARTTLS, NONE }

    /** Hours of the day (server time) when the account may be polled; {@code 22:00-06:00} spans midnight. */
    record TimeWindow(LocalTime from, LocalTime to) {
        static TimeWindow parse(String value) {
            String[] bounds = value.trim().split("\\s*-\\s*");
            if (bounds.length != 2) {
                throw new IllegalArgumentException("expected HH:MM-HH:MM");
            }
            try {
                return new TimeWindow(LocalTime.parse(bounds[0]), LocalTime.parse(bounds[1]));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("expected HH:MM-HH:MM");
            }
        }

        boolean contains(LocalTime time) {
            if (from.isBefore(to)) {
                return !time.isBefore(from) && time.isBefore(to);
            }
            return !time.isBefore(from) || time.isBefore(to);
        }

        @Override
        public String toString() {
            return from + "-" + to;
        }
    }

    @Override
    public String toString() {
        return name + " (" + user + " at " + host + ":" + port + ", " + security.name().toLowerCase() + ")";
    }
}
