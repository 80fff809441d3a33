package org.switchboard.mailets.preprocessor.tnef;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.apache.poi.hmef.attribute.TNEFAttribute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.InputChannel;
import org.switchboard.mailets.preprocessor.tnef.TnefDecoder.Contents;
import org.switchboard.mailets.preprocessor.tnef.TnefDecoder.OverLimitException;
import org.switchboard.mailets.preprocessor.tnef.TnefFraming.InvalidTnefException;
import org.switchboard.mailets.preprocessor.tnef.TnefParts.Found;
import org.switchboard.mailets.preprocessor.tnef.TnefParts.Scan;

/**
 * The spec's TNEF expander: takes the files out of {@code application/ms-tnef} parts (winmail.dat) with Apache POI's
 * HMEF, for the mail programs that cannot read TNEF (all but Outlook).
 *
 * <p>{@code mode=separate} (the spec's behaviour, default): the recipients get the original message unchanged and a
 * second message, from the same sender to the same recipients, carrying the extracted files (see {@link MimeFiles}
 * for its form). It goes into the spool to the processor named by {@code processor} (default: the one this mailet is
 * in, from its start, as James' own derived mails do) with the original's attributes (input channel, routes of the
 * Message Switch, ...), marked so that no expander expands it again. {@code mode=replace}: each TNEF part is replaced
 * in place by the files it carries; a message signed around its TNEF part (multipart/signed) is never changed: it is
 * expanded as in {@code separate}.
 *
 * <p>A TNEF stream that is invalid (wrong signature, truncated, not readable by POI), carries no file, or whose files
 * exceed {@code maxExtractedSize} is left as it is, with a log line; the next TNEF part of the message is tried. A
 * message whose MIME cannot be parsed goes on untouched. Nothing here throws on hostile input.
 *
 * <p>The message body inside the TNEF stream (HTML, plain text or RTF) is a copy of what the MIME message shows in
 * the usual case, so by default ({@code body=auto}) it is extracted, as {@code message.html}, {@code message.txt} or
 * {@code message.rtf}, only when the message has no text/plain or text/html part of its own.
 */
public class TnefExpander extends GenericMailet {
    public static final String MODE_PARAMETER = "mode";
    public static final String MAX_EXTRACTED_SIZE_PARAMETER = "maxExtractedSize";
    public static final String BODY_PARAMETER = "body";
    public static final String PROCESSOR_PARAMETER = "processor";
    public static final String DEFAULT_MAX_EXTRACTED_SIZE = "25m";
    /** Set on a mail whose TNEF parts were expanded, and on the message carrying the files: never expanded again. */
    public static final AttributeName EXPANDED = AttributeName.of("org.switchboard.tnef-expanded");

    private static final Logger LOGGER = LoggerFactory.getLogger(TnefExpander.class);
    static final Set<String> PARAMETERS = Set.of(MODE_PARAMETER, MAX_EXTRACTED_SIZE_PARAMETER, BODY_PARAMETER,
        PROCESSOR_PARAMETER);

    enum Mode { SEPARATE, REPLACE }

    enum Body { AUTO, ALWAYS, NEVER }

    private Mode mode;
    private Body body;
    private long maxExtractedSize;
    private Optional<ProcessingState> processor;

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, PARAMETERS);
        mode = parameters.choice(MODE_PARAMETER, Mode.class, Mode.SEPARATE);
        body = parameters.choice(BODY_PARAMETER, Body.class, Body.AUTO);
        maxExtractedSize = parameters.size(MAX_EXTRACTED_SIZE_PARAMETER, DEFAULT_MAX_EXTRACTED_SIZE);
        processor = parameters.optional(PROCESSOR_PARAMETER).map(ProcessingState::new);
        // POI refuses any TNEF attribute over 20 MB, whatever the limit configured here; the framing check has
        // already bounded every attribute by the stream, which is bounded by maxExtractedSize (POI's limit is a
        // static of the JVM: only raised, so two expanders with different limits do not fight)
        int poiLimit = (int) Math.min(Integer.MAX_VALUE, maxExtractedSize + 1);
        if (TNEFAttribute.getMaxRecordLength() < poiLimit) {
            TNEFAttribute.setMaxRecordLength(poiLimit);
        }
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return processor.map(List::of).orElse(List.of());
    }

    @Override
    public String getMailetInfo() {
        return "TNEF expander: extracts the files of winmail.dat (application/ms-tnef) parts";
    }

    Mode mode() {
        return mode;
    }

    Body body() {
        return body;
    }

    long maxExtractedSize() {
        return maxExtractedSize;
    }

    /** One TNEF part that gave something. */
    private record Expanded(Found found, Contents contents) {
        List<ExtractedFile> all() {
            List<ExtractedFile> all = new ArrayList<>(contents.files());
            contents.body().ifPresent(all::add);
            return all;
        }
    }

    @Override
    public void service(Mail mail) {
        if (mail.getAttribute(EXPANDED).isPresent()) {
            return;
        }
        try {
            expand(mail);
        } catch (MessagingException | IOException | RuntimeException e) {
            // MIME javax.mail cannot parse (common in spam): the mail goes on as it is
            LOGGER.info("TNEF expander, mail {}: left untouched, its MIME cannot be processed: {}", mail.getName(),
                e.toString());
        } catch (LinkageError e) {
            // a broken installation (e.g. a commons-io older than POI needs): never a reason to lose or loop a mail
            LOGGER.error("TNEF expander, mail {}: left untouched, the expander cannot run: {}", mail.getName(),
                e.toString());
        }
    }

    private void expand(Mail mail) throws MessagingException, IOException {
        MimeMessage message = mail.getMessage();
        Scan scan = TnefParts.scan(message);
        if (scan.tooDeep()) {
            LOGGER.info("TNEF expander, mail {}: multiparts nested deeper than {} not searched", mail.getName(),
                TnefParts.MAX_DEPTH);
        }
        if (scan.tnef().isEmpty()) {
            return;
        }
        boolean wantBody = body == Body.ALWAYS || body == Body.AUTO && !scan.hasTextBody();
        long budget = maxExtractedSize;
        List<Expanded> expanded = new ArrayList<>();
        for (Found found : scan.tnef()) {
            Optional<Expanded> result = decode(mail, found, wantBody, budget);
            if (result.isPresent()) {
                expanded.add(result.get());
                budget -= result.get().all().stream().mapToLong(file -> file.content().length).sum();
            }
        }
        if (expanded.isEmpty()) {
            return;
        }
        boolean signed = expanded.stream().anyMatch(e -> e.found().signed());
        if (mode == Mode.REPLACE && !signed) {
            replace(mail, message, expanded);
        } else {
            if (mode == Mode.REPLACE) {
                LOGGER.info("TNEF expander, mail {}: signed (multipart/signed), not changed: files sent separately",
                    mail.getName());
            }
            sendSeparately(mail, message, expanded);
        }
        mail.setAttribute(new Attribute(EXPANDED, AttributeValue.of(true)));
    }

    private Optional<Expanded> decode(Mail mail, Found found, boolean wantBody, long budget) {
        String where = "TNEF part " + found.position() + TnefParts.fileName(found.part()).map(n -> " (" + n + ")").orElse("");
        try {
            Optional<byte[]> data = TnefParts.content(found.part(), budget);
            if (data.isEmpty()) {
                LOGGER.warn("TNEF expander, mail {}: {} left as it is: larger than the {} bytes still allowed "
                    + "(maxExtractedSize {})", mail.getName(), where, budget, maxExtractedSize);
                return Optional.empty();
            }
            Contents contents = TnefDecoder.decode(data.get(), wantBody, budget);
            contents.notes().forEach(note -> LOGGER.info("TNEF expander, mail {}: {}: {}", mail.getName(), where, note));
            if (contents.files().isEmpty() && contents.body().isEmpty()) {
                LOGGER.info("TNEF expander, mail {}: {} carries no file{}, left as it is", mail.getName(), where,
                    wantBody ? " and no body" : "");
                return Optional.empty();
            }
            return Optional.of(new Expanded(found, contents));
        } catch (InvalidTnefException e) {
            LOGGER.warn("TNEF expander, mail {}: {} skipped, invalid TNEF: {}", mail.getName(), where, e.getMessage());
        } catch (OverLimitException e) {
            LOGGER.warn("TNEF expander, mail {}: {} left as it is: {} (maxExtractedSize {})", mail.getName(), where,
                e.getMessage(), maxExtractedSize);
        } catch (MessagingException | IOException e) {
            LOGGER.warn("TNEF expander, mail {}: {} skipped, its content cannot be decoded: {}", mail.getName(), where,
                e.toString());
        }
        return Optional.empty();
    }

    private void sendSeparately(Mail mail, MimeMessage original, List<Expanded> expanded) throws MessagingException {
        List<ExtractedFile> files = expanded.stream().flatMap(e -> e.all().stream()).toList();
        MimeMessage attachments = MimeFiles.attachmentsMessage(original, files);
        Mail second = mail.duplicate();
        try {
            second.setMessage(attachments);
            second.setAttribute(new Attribute(EXPANDED, AttributeValue.of(true)));
            if (InputChannel.of(mail).isEmpty()) {
                InputChannel.set(second, Channel.INTERNAL);
            }
            String state = processor.map(ProcessingState::getValue)
                .orElseGet(() -> Optional.ofNullable(mail.getState()).orElse(Mail.DEFAULT));
            getMailetContext().sendMail(second, state);
            LOGGER.info("TNEF expander, mail {}: {} file(s) {} sent to {} recipient(s) as mail {} (processor {})",
                mail.getName(), files.size(), describe(files), second.getRecipients().size(), second.getName(), state);
        } catch (MessagingException e) {
            // the original, TNEF part included, still goes on: nothing is lost, the files are just not separate
            LOGGER.error("TNEF expander, mail {}: the message with the extracted files could not be spooled: {}",
                mail.getName(), e.toString());
        } finally {
            LifecycleUtil.dispose(second);
        }
    }

    /**
     * Replaces the TNEF parts in a copy of the message: James shares one MimeMessage between the copies of a mail
     * (copy on write through its proxy), and changing the parts of a shared tree in place would change them all.
     */
    private void replace(Mail mail, MimeMessage original, List<Expanded> expanded)
        throws MessagingException, IOException {
        String messageId = original.getHeader("Message-ID", null);
        MimeMessage message = new MimeMessage(original);
        Map<String, Found> parts = new HashMap<>();
        TnefParts.scan(message).tnef().forEach(found -> parts.put(found.position(), found));
        for (Expanded each : expanded) {
            Found target = parts.get(each.found().position());
            if (target == null) {
                throw new MessagingException("TNEF part " + each.found().position() + " not found in the copy");
            }
            List<MimeBodyPart> files = new ArrayList<>();
            for (ExtractedFile file : each.all()) {
                files.add(MimeFiles.attachment(file));
            }
            if (target.part() instanceof BodyPart bodyPart && bodyPart.getParent() != null) {
                Multipart parent = bodyPart.getParent();
                int index = indexOf(parent, bodyPart);
                parent.removeBodyPart(index);
                for (int i = 0; i < files.size(); i++) {
                    parent.addBodyPart(files.get(i), index + i);
                }
            } else {
                // the whole message is the TNEF stream: it becomes a multipart/mixed of the files
                MimeMultipart mixed = new MimeMultipart("mixed");
                for (MimeBodyPart file : files) {
                    mixed.addBodyPart(file);
                }
                message.removeHeader("Content-Transfer-Encoding");
                message.removeHeader("Content-Disposition");
                message.setContent(mixed);
            }
            LOGGER.info("TNEF expander, mail {}: TNEF part {} replaced by {} file(s) {}", mail.getName(),
                each.found().position(), files.size(), describe(each.all()));
        }
        message.saveChanges();
        if (messageId != null) {
            // saveChanges gives a plain MimeMessage a new Message-ID; the message is the same message
            message.setHeader("Message-ID", messageId);
        } else {
            message.removeHeader("Message-ID");
        }
        mail.setMessage(message);
    }

    private static int indexOf(Multipart parent, BodyPart part) throws MessagingException {
        for (int i = 0; i < parent.getCount(); i++) {
            if (parent.getBodyPart(i) == part) {
                return i;
            }
        }
        throw new MessagingException("TNEF part not found in its multipart");
    }

    private static String describe(List<ExtractedFile> files) {
        return files.stream().map(file -> file.name() + " (" + file.content().length + " bytes)")
            .collect(Collectors.joining(", ", "[", "]"));
    }
}
