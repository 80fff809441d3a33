package org.switchboard.mailets.lists;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * Reads a delivery failure report that came back to a list's bounce address: which addresses failed, and how
 * ({@link BounceKind}).
 * <ul>
 *   <li>An RFC 3464 report ({@code multipart/report; report-type=delivery-status}): each per-recipient block whose
 *       {@code Action} is {@code failed} names its address in {@code Original-Recipient} (else
 *       {@code Final-Recipient}); its {@code Status} class 5 is {@link BounceKind#HARD}, 4 {@link BounceKind#SOFT}.
 *       {@code delayed}, {@code delivered}, {@code relayed} and {@code expanded} blocks are no failures.</li>
 *   <li>Any other message (a plain bounce, as many servers still write): the addresses in its first text part,
 *       before the quoted original; hard unless the text only shows temporary SMTP codes (4xx, 4.x.x). A text
 *       without any SMTP reply or status code (5xx, 4xx, 5.x.x, 4.x.x) is no bounce: an out-of-office reply sent to
 *       the envelope sender is not counted against its member.</li>
 *   <li>With a VERP address ({@link Verp}) the member is known from the recipient: the report only tells whether,
 *       and how, it failed.</li>
 * </ul>
 */
public final class BounceParser {
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
    private static final Pattern PERMANENT = Pattern.compile("(?<![0-9.])(5[0-9][0-9][ -]|5\\.[0-9]{1,3}\\.[0-9]{1,3})");
    private static final Pattern TEMPORARY = Pattern.compile("(?<![0-9.])(4[0-9][0-9][ -]|4\\.[0-9]{1,3}\\.[0-9]{1,3})");
    /** Where a plain bounce starts quoting the original message: the rest names the poster, not the failure. */
    private static final Pattern QUOTED_ORIGINAL = Pattern.compile(
        "(?im)^(-+ ?(original message|this is a copy|message headers?|returned message).*|(received|return-path|from|message-id):.*)$");

    /** One failed address. */
    public record Bounce(MailAddress address, BounceKind kind) {
    }

    private BounceParser() {
    }

    /**
     * The failures the report tells of; empty when it tells of none (only a delay, or nothing that reads as an
     * address). {@code verpMember}: the member a VERP bounce address named.
     */
    public static List<Bounce> parse(Part report, Optional<MailAddress> verpMember) throws MessagingException {
        Optional<Map<MailAddress, Optional<BounceKind>>> dsn = deliveryStatus(report);
        if (verpMember.isPresent()) {
            if (dsn.isPresent()) {
                return dsn.get().values().stream().flatMap(Optional::stream)
                    .reduce((a, b) -> a == BounceKind.HARD ? a : b)
                    .map(kind -> List.of(new Bounce(verpMember.get(), kind))).orElse(List.of());
            }
            return plainKind(explanation(report)).map(kind -> List.of(new Bounce(verpMember.get(), kind)))
                .orElse(List.of());
        }
        if (dsn.isPresent()) {
            List<Bounce> bounces = new ArrayList<>();
            dsn.get().forEach((address, kind) -> kind.ifPresent(failed -> bounces.add(new Bounce(address, failed))));
            return bounces;
        }
        String text = explanation(report);
        Optional<BounceKind> kind = plainKind(text);
        if (kind.isEmpty()) {
            return List.of();
        }
        Set<MailAddress> addresses = new LinkedHashSet<>();
        Matcher matcher = ADDRESS.matcher(text);
        while (matcher.find()) {
            try {
                addresses.add(new MailAddress(matcher.group().toLowerCase(Locale.ROOT)));
            } catch (AddressException e) {
                // looked like an address, is not one: not a failure to count
            }
        }
        return addresses.stream().map(address -> new Bounce(address, kind.get())).toList();
    }

    /**
     * The per-recipient blocks of the report's {@code message/delivery-status} part: each address with its failure
     * (empty: not failed); no value when the message is no delivery status report.
     */
    private static Optional<Map<MailAddress, Optional<BounceKind>>> deliveryStatus(Part part)
        throws MessagingException {
        try {
            if (part.isMimeType("message/delivery-status")) {
                try (InputStream in = part.getInputStream()) {
                    return Optional.of(recipients(new String(in.readNBytes(100_000), StandardCharsets.UTF_8)));
                }
            }
            if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    Optional<Map<MailAddress, Optional<BounceKind>>> found = deliveryStatus(child);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // unreadable: read as a plain bounce
        }
    }

    /** RFC 3464 section 2: a per-message block, then one block per recipient, blank lines between them. */
    static Map<MailAddress, Optional<BounceKind>> recipients(String deliveryStatus) {
        Map<MailAddress, Optional<BounceKind>> recipients = new LinkedHashMap<>();
        for (String block : deliveryStatus.replace("\r\n", "\n").split("\n[ \t]*\n")) {
            Map<String, String> fields = fields(block);
            Optional<MailAddress> address = recipientAddress(fields.get("original-recipient"))
                .or(() -> recipientAddress(fields.get("final-recipient")));
            if (address.isEmpty()) {
                continue; // the per-message block, or a recipient written in no address type we read
            }
            String action = fields.getOrDefault("action", "").trim().toLowerCase(Locale.ROOT);
            String status = fields.getOrDefault("status", "").trim();
            Optional<BounceKind> kind = action.startsWith("failed")
                ? Optional.of(status.startsWith("4") ? BounceKind.SOFT : BounceKind.HARD)
                : Optional.empty();
            recipients.merge(address.get(), kind, (a, b) -> a.isPresent() ? a : b);
        }
        return recipients;
    }

    /** The fields of one block, names lower-cased, folded lines joined. */
    private static Map<String, String> fields(String block) {
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        for (String line : block.split("\n")) {
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                fields.put(last, fields.get(last) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                last = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                fields.putIfAbsent(last, line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** {@code rfc822; bob@example.org} (RFC 3464 address-type; address); empty for other types. */
    private static Optional<MailAddress> recipientAddress(String value) {
        if (value == null) {
            return Optional.empty();
        }
        int semicolon = value.indexOf(';');
        if (semicolon < 0 || !value.substring(0, semicolon).trim().equalsIgnoreCase("rfc822")) {
            return Optional.empty();
        }
        String address = value.substring(semicolon + 1).trim().replaceAll("^<|>$", "");
        try {
            return Optional.of(new MailAddress(address.toLowerCase(Locale.ROOT)));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    /** The human-readable part of a bounce, without the original it quotes. */
    private static String explanation(Part report) throws MessagingException {
        String text = MessageText.firstText(report);
        Matcher quoted = QUOTED_ORIGINAL.matcher(text);
        return quoted.find() ? text.substring(0, quoted.start()) : text;
    }

    /** Hard with a permanent failure code, soft with temporary ones only; empty (no bounce) without any code. */
    private static Optional<BounceKind> plainKind(String text) {
        if (PERMANENT.matcher(text).find()) {
            return Optional.of(BounceKind.HARD);
        }
        return TEMPORARY.matcher(text).find() ? Optional.of(BounceKind.SOFT) : Optional.empty();
    }
}
