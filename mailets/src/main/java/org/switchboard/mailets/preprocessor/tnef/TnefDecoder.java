package org.switchboard.mailets.preprocessor.tnef;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.poi.hmef.Attachment;
import org.apache.poi.hmef.HMEFMessage;
import org.apache.poi.hmef.attribute.MAPIAttribute;
import org.apache.poi.hmef.attribute.MAPIRtfAttribute;
import org.apache.poi.hmef.attribute.MAPIStringAttribute;
import org.apache.poi.hmef.attribute.TNEFAttribute;
import org.apache.poi.hmef.attribute.TNEFProperty;
import org.switchboard.mailets.preprocessor.tnef.TnefFraming.Frame;
import org.switchboard.mailets.preprocessor.tnef.TnefFraming.InvalidTnefException;
import org.switchboard.mailets.preprocessor.tnef.TnefFraming.Span;

/**
 * Decodes a TNEF stream with Apache POI's HMEF into the files it carries (and, on request, its message body).
 *
 * <p>POI only gets a stream {@link TnefFraming} found well formed, and only the attributes needed: the attachments'
 * own ones for the files, the message's for the body. The message's MAPI properties hold the bodies, which POI
 * decompresses (compressed RTF) as it parses them; leaving them out when no body is wanted spares that work, and a
 * message property POI cannot read (over its 1 MB limit for one MAPI value) then costs the body only, not the files.
 */
final class TnefDecoder {
    static final String HTML_BODY_NAME = "message.html";
    static final String TEXT_BODY_NAME = "message.txt";
    static final String RTF_BODY_NAME = "message.rtf";

    private static final int PT_STRING8 = 0x001E;
    private static final int PT_UNICODE = 0x001F;
    private static final int PR_ATTACH_DATA = 0x3701;
    private static final int PR_ATTACH_EXTENSION = 0x3703;
    private static final int PR_ATTACH_FILENAME = 0x3704;
    private static final int PR_ATTACH_LONG_FILENAME = 0x3707;
    private static final int PR_ATTACH_MIME_TAG = 0x370E;
    private static final int PR_DISPLAY_NAME = 0x3001;
    private static final int PR_BODY = 0x1000;
    private static final int PR_RTF_COMPRESSED = 0x1009;
    private static final int PR_BODY_HTML = 0x1013;
    private static final int PR_INTERNET_CPID = 0x3FDE;
    /** attAttachment: an attachment's MAPI properties (long file name, MIME type, ...). */
    private static final int ID_ATTACHMENT_PROPERTIES = 0x9005;

    /** What a stream held; {@code notes} say what was left out and why (for the log). */
    record Contents(Frame frame, List<ExtractedFile> files, Optional<ExtractedFile> body, List<String> notes) {
    }

    /** The stream is well formed but the files it carries exceed the budget: it is not decoded at all. */
    static final class OverLimitException extends Exception {
        OverLimitException(String message) {
            super(message);
        }
    }

    private TnefDecoder() {
    }

    /**
     * Decodes {@code data}. {@code budget} is the number of bytes the files (and body) may still take; a stream whose
     * attachment data is larger is refused whole ({@link OverLimitException}), a body that does not fit is left out.
     */
    static Contents decode(byte[] data, boolean wantBody, long budget) throws InvalidTnefException, OverLimitException {
        Frame frame = TnefFraming.check(data);
        if (frame.attachmentDataBytes() > budget) {
            throw new OverLimitException("its files take " + frame.attachmentDataBytes() + " bytes, over the "
                + budget + " bytes allowed");
        }
        List<String> notes = new ArrayList<>();
        if (frame.badChecksums() > 0) {
            notes.add(frame.badChecksums() + " attribute(s) with a wrong checksum, used as they are");
        }
        if (frame.trailingGarbage()) {
            notes.add(frame.trailingBytes() + " byte(s) of garbage after the last attribute, ignored");
        }
        Charset charset = codePage(frame);
        List<ExtractedFile> files = frame.hasAttachments() ? files(frame, charset, notes) : List.of();
        long used = files.stream().mapToLong(file -> file.content().length).sum();
        Optional<ExtractedFile> body = Optional.empty();
        if (wantBody) {
            body = body(frame, charset, notes);
            if (body.isPresent() && body.get().content().length > budget - used) {
                notes.add("message body " + body.get().name() + " (" + body.get().content().length
                    + " bytes) left out: over the size limit");
                body = Optional.empty();
            }
        }
        return new Contents(frame, files, body, notes);
    }

    private static List<ExtractedFile> files(Frame frame, Charset charset, List<String> notes)
        throws InvalidTnefException {
        HMEFMessage message;
        try {
            message = parse(frame.streamOf(span -> span.level() == TnefFraming.LEVEL_ATTACHMENT));
        } catch (InvalidTnefException withProperties) {
            // the attachments' MAPI properties (long names, MIME types) are the fragile part: the data and the
            // short names (attAttachTitle) are plain TNEF attributes
            message = parse(frame.streamOf(span -> span.level() == TnefFraming.LEVEL_ATTACHMENT
                && span.id() != ID_ATTACHMENT_PROPERTIES));
            notes.add("attachment properties unreadable (" + withProperties.getMessage() + "): short file names used");
        }
        List<ExtractedFile> files = new ArrayList<>();
        List<Attachment> attachments = message.getAttachments();
        for (int i = 0; i < attachments.size(); i++) {
            Attachment attachment = attachments.get(i);
            Optional<byte[]> content = content(attachment);
            if (content.isEmpty()) {
                notes.add("attachment " + (i + 1) + " has no data (an embedded Outlook item or an OLE object?), left out");
                continue;
            }
            String name = name(attachment, charset, i + 1);
            Optional<String> declaredType = mapi(attachment.getMAPIAttributes(), PR_ATTACH_MIME_TAG)
                .flatMap(attribute -> text(attribute, charset));
            files.add(new ExtractedFile(name, ContentTypes.of(name, declaredType), content.get()));
        }
        return files;
    }

    private static Optional<byte[]> content(Attachment attachment) {
        TNEFAttribute data = attachment.getAttribute(TNEFProperty.ID_ATTACHDATA);
        if (data != null) {
            return Optional.of(data.getData());
        }
        return mapi(attachment.getMAPIAttributes(), PR_ATTACH_DATA).map(MAPIAttribute::getData);
    }

    /** Long file name, else file name, else the TNEF title, else the display name, else attachment-N. */
    private static String name(Attachment attachment, Charset charset, int number) {
        List<MAPIAttribute> properties = attachment.getMAPIAttributes();
        for (int id : new int[] {PR_ATTACH_LONG_FILENAME, PR_ATTACH_FILENAME}) {
            Optional<String> name = mapi(properties, id).flatMap(attribute -> text(attribute, charset))
                .flatMap(FileNames::sanitize);
            if (name.isPresent()) {
                return name.get();
            }
        }
        TNEFAttribute title = attachment.getAttribute(TNEFProperty.ID_ATTACHTITLE);
        if (title != null) {
            Optional<String> name = FileNames.sanitize(FileNames.decode8bit(title.getData(), charset));
            if (name.isPresent()) {
                return name.get();
            }
        }
        Optional<String> display = mapi(properties, PR_DISPLAY_NAME).flatMap(attribute -> text(attribute, charset))
            .flatMap(FileNames::sanitize);
        if (display.isPresent()) {
            return display.get();
        }
        String extension = mapi(properties, PR_ATTACH_EXTENSION).flatMap(attribute -> text(attribute, charset))
            .flatMap(FileNames::sanitize)
            .map(ext -> ext.startsWith(".") ? ext : "." + ext)
            .orElse("");
        return "attachment-" + number + extension;
    }

    /** The message body: HTML if there is one, else plain text, else RTF (decompressed). */
    private static Optional<ExtractedFile> body(Frame frame, Charset charset, List<String> notes) {
        HMEFMessage message;
        try {
            message = parse(frame.streamOf(span -> span.level() == TnefFraming.LEVEL_MESSAGE));
        } catch (InvalidTnefException e) {
            notes.add("message properties unreadable, no body extracted: " + e.getMessage());
            return Optional.empty();
        }
        List<MAPIAttribute> properties = message.getMessageMAPIAttributes();
        Optional<MAPIAttribute> html = mapi(properties, PR_BODY_HTML);
        if (html.isPresent()) {
            MAPIAttribute attribute = html.get();
            if (attribute.getType() == PT_UNICODE && attribute instanceof MAPIStringAttribute string) {
                return Optional.of(new ExtractedFile(HTML_BODY_NAME, "text/html; charset=utf-8",
                    string.getDataString().getBytes(StandardCharsets.UTF_8)));
            }
            String type = mapi(properties, PR_INTERNET_CPID)
                .filter(cpid -> cpid.getData().length >= 4)
                .flatMap(cpid -> FileNames.charsetOf(littleEndianInt(cpid.getData())))
                .map(cs -> "text/html; charset=" + cs.name().toLowerCase(Locale.ROOT))
                .orElse("text/html");
            return Optional.of(new ExtractedFile(HTML_BODY_NAME, type, attribute.getData()));
        }
        TNEFAttribute tnefBody = message.getMessageAttribute(TNEFProperty.ID_BODY);
        Optional<String> text = tnefBody != null
            ? Optional.of(FileNames.decode8bit(tnefBody.getData(), charset))
            : mapi(properties, PR_BODY).flatMap(attribute -> text(attribute, charset));
        if (text.isPresent() && !text.get().isBlank()) {
            return Optional.of(new ExtractedFile(TEXT_BODY_NAME, "text/plain; charset=utf-8",
                text.get().getBytes(StandardCharsets.UTF_8)));
        }
        return mapi(properties, PR_RTF_COMPRESSED)
            .filter(MAPIRtfAttribute.class::isInstance)
            .map(attribute -> new ExtractedFile(RTF_BODY_NAME, "application/rtf", attribute.getData()));
    }

    private static HMEFMessage parse(byte[] stream) throws InvalidTnefException {
        try {
            return new HMEFMessage(new ByteArrayInputStream(stream));
        } catch (IOException | RuntimeException e) {
            // POI reports malformed input with a variety of runtime exceptions (IllegalStateException,
            // RecordFormatException, IndexOutOfBoundsException, ...): all of them mean "not readable"
            throw new InvalidTnefException("POI HMEF cannot read it: " + e);
        }
    }

    /** The stream's code page (attOemCodepage), for its 8-bit strings; windows-1252 when absent or unknown. */
    private static Charset codePage(Frame frame) {
        for (Span span : frame.spans()) {
            if (span.level() == TnefFraming.LEVEL_MESSAGE && span.id() == 0x9007 && span.end() - span.start() >= 15) {
                int codePage = littleEndianInt(Arrays.copyOfRange(frame.data(), span.start() + 9,
                    span.start() + 13));
                return FileNames.charsetOf(codePage).orElse(FileNames.FALLBACK);
            }
        }
        return FileNames.FALLBACK;
    }

    private static Optional<MAPIAttribute> mapi(List<MAPIAttribute> attributes, int id) {
        // by number: POI gives named and custom properties their own MAPIProperty objects
        return attributes.stream().filter(attribute -> attribute.getProperty().id == id).findFirst();
    }

    /** A string property's text: 8-bit strings in the stream's code page, Unicode ones as POI decoded them. */
    private static Optional<String> text(MAPIAttribute attribute, Charset charset) {
        if (attribute.getType() == PT_STRING8) {
            return Optional.of(FileNames.decode8bit(attribute.getData(), charset));
        }
        if (attribute.getType() == PT_UNICODE && attribute instanceof MAPIStringAttribute string) {
            return Optional.of(string.getDataString());
        }
        return Optional.empty();
    }

    private static int littleEndianInt(byte[] data) {
        return (data[0] & 0xFF) | (data[1] & 0xFF) << 8 | (data[2] & 0xFF) << 16 | (data[3] & 0xFF) << 24;
    }
}
