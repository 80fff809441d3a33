package org.switchboard.server.smtpc;

import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Mail;
import org.switchboard.server.smtpd.MtPriorityHook;

/**
 * A queued mail's priority weight (lower = sooner): precedence × Mp + size in KB × Ms + minutes deferred × Md.
 * Mp and Ms are configured ({@code precedenceMultiplier}, {@code sizeMultiplier}); Md is {@value #DEFERRED_MULTIPLIER}
 * per minute, set by the system so that a mail waiting longer comes sooner.
 *
 * <p>The precedence runs from 0 (most urgent) to 18 (least), 9 being normal: an MT-PRIORITY (RFC 6710) value n
 * accepted by SMTPD gives 9 − n; otherwise {@code Priority: urgent} 4 and {@code non-urgent} 14 (RFC 2156),
 * {@code Precedence: bulk} or {@code list} 14, {@code junk} 18.
 */
public record PriorityWeight(int precedence, long sizeKb, long deferredMinutes, long precedenceMultiplier, long sizeMultiplier) {
    static final long DEFERRED_MULTIPLIER = -1;
    static final int NORMAL = 9;

    public long value() {
        return precedence * precedenceMultiplier + sizeKb * sizeMultiplier + deferredMinutes * DEFERRED_MULTIPLIER;
    }

    public String explain() {
        return value() + " = precedence " + precedence + " x Mp " + precedenceMultiplier + " + size " + sizeKb
            + " KB x Ms " + sizeMultiplier + " + deferred " + deferredMinutes + " min x Md " + DEFERRED_MULTIPLIER;
    }

    static int precedenceOf(Mail mail) throws MessagingException {
        Optional<Integer> mtPriority = mail.getAttribute(MtPriorityHook.ATTRIBUTE)
            .flatMap(attribute -> attribute.getValue().valueAs(Integer.class));
        if (mtPriority.isPresent()) {
            return NORMAL - Math.max(-9, Math.min(9, mtPriority.get()));
        }
        MimeMessage message = mail.getMessage();
        String precedence = firstHeader(message, "Precedence");
        if (precedence.equals("junk")) {
            return 18;
        }
        if (precedence.equals("bulk") || precedence.equals("list")) {
            return 14;
        }
        return switch (firstHeader(message, "Priority")) {
            case "urgent" -> 4;
            case "non-urgent" -> 14;
            default -> NORMAL;
        };
    }

    private static String firstHeader(MimeMessage message, String name) throws MessagingException {
        String value = message.getHeader(name, null);
        return value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    }
}
