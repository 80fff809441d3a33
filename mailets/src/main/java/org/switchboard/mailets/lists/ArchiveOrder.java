package org.switchboard.mailets.lists;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The orders of an archive listing: by {@link #DATE}, by {@link #AUTHOR} (then date), by {@link #THREAD}: each
 * thread after the one started before it, each answer below the message it answers (its nearest parent in
 * {@code References}/{@code In-Reply-To} that the archive holds), answers to one message by date; a message whose
 * parents are not archived starts a thread.
 */
public enum ArchiveOrder {
    DATE, THREAD, AUTHOR;

    private static final Comparator<ArchivedMessage> BY_DATE = Comparator.comparing(ArchivedMessage::date);

    /** A message of a listing and how deep in its thread it is (0: it starts the thread). */
    public record Line(ArchivedMessage message, int depth) {
    }

    /** The order of that name, case-insensitive; {@link IllegalArgumentException} naming the orders otherwise. */
    public static ArchiveOrder named(String name) {
        return Arrays.stream(values()).filter(order -> order.name().equals(name.trim().toUpperCase(Locale.ROOT)))
            .findFirst().orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not an archive order; the "
                + "orders are " + Arrays.toString(values()).toLowerCase(Locale.ROOT)));
    }

    /** The messages in this order (depth 0 for every line but answers in {@link #THREAD}). */
    public List<Line> sort(List<ArchivedMessage> messages) {
        return switch (this) {
            case DATE -> messages.stream().sorted(BY_DATE).map(message -> new Line(message, 0)).toList();
            case AUTHOR -> messages.stream().sorted(Comparator.comparing(ArchivedMessage::from).thenComparing(BY_DATE))
                .map(message -> new Line(message, 0)).toList();
            case THREAD -> threads(messages);
        };
    }

    private static List<Line> threads(List<ArchivedMessage> messages) {
        Map<String, ArchivedMessage> byId = new HashMap<>();
        messages.stream().filter(message -> !message.messageId().isEmpty())
            .forEach(message -> byId.putIfAbsent(message.messageId(), message));
        Map<ArchivedMessage, List<ArchivedMessage>> answers = new IdentityHashMap<>();
        List<ArchivedMessage> starts = new ArrayList<>();
        for (ArchivedMessage message : messages) {
            ArchivedMessage parent = null;
            for (String reference : message.references()) {
                ArchivedMessage candidate = byId.get(reference);
                if (candidate != null && candidate != message) {
                    parent = candidate; // the last one held is the nearest
                }
            }
            if (parent == null) {
                starts.add(message);
            } else {
                answers.computeIfAbsent(parent, key -> new ArrayList<>()).add(message);
            }
        }
        List<Line> lines = new ArrayList<>();
        Set<ArchivedMessage> listed = Collections.newSetFromMap(new IdentityHashMap<>());
        starts.stream().sorted(BY_DATE).forEach(start -> walk(start, 0, answers, listed, lines));
        // messages that answer each other (forged or broken References) reach no start: each starts a thread
        messages.stream().sorted(BY_DATE).filter(message -> !listed.contains(message))
            .forEach(message -> walk(message, 0, answers, listed, lines));
        return lines;
    }

    private static void walk(ArchivedMessage message, int depth, Map<ArchivedMessage, List<ArchivedMessage>> answers,
                             Set<ArchivedMessage> listed, List<Line> lines) {
        if (!listed.add(message)) {
            return;
        }
        lines.add(new Line(message, depth));
        answers.getOrDefault(message, List.of()).stream().sorted(BY_DATE)
            .forEach(answer -> walk(answer, depth + 1, answers, listed, lines));
    }
}
