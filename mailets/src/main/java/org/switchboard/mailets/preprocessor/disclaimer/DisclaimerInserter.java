package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.switchboard.mailets.preprocessor.disclaimer.MessageStructure.Target;

/**
 * Gives a message its disclaimer, or says why not. Works on a message nobody else holds and never changes it: the
 * result is a new message, written by {@link MessageRebuilder} and read back to check that every edited part says
 * what was meant, before anyone sees it.
 */
final class DisclaimerInserter {
    static final String MARKER_HEADER = "X-Switchboard-Disclaimer";

    /** What became of a message. */
    sealed interface Outcome {
    }

    /** The new message (to be disposed by its holder) and what changed, for the log. */
    record Inserted(MimeMessageWrapper message, String description) implements Outcome {
    }

    /** Left as it is; {@code notable} when an administrator wants to hear of it (INFO rather than DEBUG). */
    record Unchanged(String reason, boolean notable) implements Outcome {
    }

    private final DisclaimerText disclaimer;
    private final long maxTextSize;

    DisclaimerInserter(DisclaimerText disclaimer, long maxTextSize) {
        this.disclaimer = disclaimer;
        this.maxTextSize = maxTextSize;
    }

    /** True when one of the message's marker headers names this disclaimer. */
    boolean marked(MimeMessage message) throws MessagingException {
        String[] values = message.getHeader(MARKER_HEADER);
        return values != null && Arrays.stream(values).anyMatch(value -> value.trim().equalsIgnoreCase(disclaimer.name()));
    }

    Outcome insert(MimeMessage message, String key) throws MessagingException, IOException {
        MessageStructure structure = MessageStructure.of(message);
        if (structure.protection().isPresent()) {
            return new Unchanged("signed or encrypted (" + structure.protection().get() + ")", true);
        }
        if (structure.tooDeep()) {
            return new Unchanged("MIME parts nested deeper than " + MessageStructure.MAX_DEPTH + " levels", true);
        }
        if (structure.plain().isEmpty() && structure.html().isEmpty()) {
            return new Unchanged("no text body (only attachments or other types)", false);
        }
        Map<List<Integer>, PartEdit> edits = new LinkedHashMap<>();
        boolean present = false;
        List<String> changes = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        structure.plain().ifPresent(targets::add);
        structure.html().ifPresent(targets::add);
        for (Target target : targets) {
            boolean plain = target.type().match("text/plain");
            TextInsertion.Result result = plain
                ? TextInsertion.plain(target, disclaimer, maxTextSize)
                : TextInsertion.html(target, disclaimer, maxTextSize);
            if (result instanceof TextInsertion.Refused refused) {
                return new Unchanged(refused.untouchable() ? "signed or encrypted (" + refused.reason() + ")"
                    : refused.reason(), true);
            }
            TextInsertion.Edited edited = (TextInsertion.Edited) result;
            present |= edited.alreadyPresent();
            edits.put(target.path(), edited.edit());
            changes.add((plain ? "text/plain " : "text/html ") + MessageStructure.describe(target.path())
                + edited.edit().change());
        }
        boolean marked = marked(message);
        if (marked && present) {
            return new Unchanged("already has disclaimer " + disclaimer.name(), false);
        }
        MimeMessageWrapper rebuilt = rebuild(structure, edits, header(message, edits, marked), key);
        Optional<String> problem = verify(rebuilt, edits);
        if (problem.isPresent()) {
            LifecycleUtil.dispose(rebuilt);
            return new Unchanged("the rewritten message did not check out (" + problem.get() + ")", true);
        }
        return new Inserted(rebuilt, String.join(", ", changes));
    }

    /**
     * A copy of the message as it would be written, kept the way James keeps mail (memory, or a temporary file for a
     * big one). An unchanged body is copied as received and the header lines as they are, one octet per char: James
     * 3.8.1's own header writer would turn raw 8-bit header octets into '?' (Switchboard replaces it in the server;
     * this copy must not depend on which one is on the class path).
     */
    static MimeMessageWrapper copyOf(MimeMessage message, String key) throws MessagingException, IOException {
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create("disclaimer-copy-" + key + "-" + UUID.randomUUID());
        try {
            try (OutputStream out = source.getWritableOutputStream()) {
                if (message instanceof MimeMessageWrapper wrapper && !wrapper.isBodyModified()) {
                    MessageRebuilder.writeHeader(MimeParts.headerLines(message), List.of(), out);
                    try (InputStream body = wrapper.getRawInputStream()) {
                        body.transferTo(out);
                    }
                } else {
                    message.writeTo(out);
                }
            }
            return new MimeMessageWrapper(source);
        } catch (MessagingException | IOException | RuntimeException e) {
            LifecycleUtil.dispose(source);
            throw e;
        }
    }

    /**
     * The message's header lines (those of the edit when the message itself is the text part), without a
     * Content-Length (some writers add one; it would now be wrong), and the marker unless it is there.
     */
    private List<String> header(MimeMessage message, Map<List<Integer>, PartEdit> edits, boolean marked)
        throws MessagingException {
        PartEdit topEdit = edits.get(List.of());
        List<String> lines = new ArrayList<>(topEdit != null ? topEdit.headerLines() : MimeParts.headerLines(message));
        lines.removeIf(line -> MimeParts.isField(line, "Content-Length"));
        if (!marked) {
            lines.add(MARKER_HEADER + ": " + disclaimer.name());
        }
        return lines;
    }

    private static MimeMessageWrapper rebuild(MessageStructure structure, Map<List<Integer>, PartEdit> edits,
                                              List<String> header, String key) throws MessagingException, IOException {
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create("disclaimer-" + key + "-" + UUID.randomUUID());
        try {
            try (OutputStream out = source.getWritableOutputStream()) {
                MessageRebuilder.write(structure, edits, header, out);
            }
            return new MimeMessageWrapper(source);
        } catch (MessagingException | IOException | RuntimeException e) {
            LifecycleUtil.dispose(source);
            throw e;
        }
    }

    /** Read back: same kind of structure, every edited part decodes to what was meant. */
    private static Optional<String> verify(MimeMessage rebuilt, Map<List<Integer>, PartEdit> edits)
        throws MessagingException, IOException {
        MessageStructure again = MessageStructure.of(rebuilt);
        if (again.protection().isPresent() || again.tooDeep()) {
            return Optional.of("structure changed");
        }
        for (PartEdit edit : edits.values()) {
            Optional<Target> target = again.plain().filter(t -> t.path().equals(edit.path()))
                .or(() -> again.html().filter(t -> t.path().equals(edit.path())));
            if (target.isEmpty()) {
                return Optional.of("part " + MessageStructure.describe(edit.path()) + " is no longer the body");
            }
            Optional<byte[]> content = MimeParts.decodedContent(target.get().part(), Long.MAX_VALUE);
            if (content.isEmpty() || !Arrays.equals(content.get(), edit.decoded())) {
                return Optional.of("part " + MessageStructure.describe(edit.path()) + " does not read back as written");
            }
        }
        return Optional.empty();
    }
}
