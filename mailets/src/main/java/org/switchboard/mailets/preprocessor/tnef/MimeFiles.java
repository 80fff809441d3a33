package org.switchboard.mailets.preprocessor.tnef;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentDisposition;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimeUtility;
import javax.mail.internet.ParameterList;
import javax.mail.util.ByteArrayDataSource;

/** MIME for extracted files: one attachment part per file, and the message that carries them. */
final class MimeFiles {
    static final String SUBJECT_PREFIX = "Attachments of: ";
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final String[] COPIED_HEADERS = {"From", "Sender", "Reply-To", "To", "Cc"};
    /** Length of one RFC 2231 continuation value: the header lines stay within 78 characters. */
    private static final int CONTINUATION_LENGTH = 60;

    private MimeFiles() {
    }

    /**
     * An attachment part with the file's exact bytes (base64). A non-ASCII name is written twice, as mail programs
     * read either: RFC 2231 in Content-Disposition ({@code filename*=utf-8''...}, split into {@code filename*0*},
     * {@code filename*1*}, ... continuations when long), which JavaMail and current clients decode, and RFC 2047 in
     * Content-Type's {@code name} (what JavaMail writes with {@code mail.mime.encodefilename}, for older clients).
     */
    static MimeBodyPart attachment(ExtractedFile file) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(file.content(), file.contentType())));
        ContentType type = new ContentType(file.contentType());
        type.setParameter("name", encodedWords(file.name()));
        part.setHeader("Content-Type", MimeUtility.fold("Content-Type: ".length(), type.toString()));
        part.setHeader("Content-Disposition", disposition(file.name()));
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** The Content-Disposition value for a file name: quoted as needed if ASCII, else RFC 2231 in UTF-8. */
    static String disposition(String name) {
        if (StandardCharsets.US_ASCII.newEncoder().canEncode(name)) {
            ParameterList parameters = new ParameterList();
            parameters.set("filename", name);
            return MimeUtility.fold("Content-Disposition: ".length(),
                new ContentDisposition(MimeBodyPart.ATTACHMENT, parameters).toString());
        }
        String encoded = "utf-8''" + percentEncoded(name);
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < encoded.length()) {
            int end = Math.min(encoded.length(), start + CONTINUATION_LENGTH);
            // never cut a %XX escape
            if (end < encoded.length() && encoded.lastIndexOf('%', end - 1) >= end - 2) {
                end = encoded.lastIndexOf('%', end - 1);
            }
            chunks.add(encoded.substring(start, end));
            start = end;
        }
        StringBuilder value = new StringBuilder(MimeBodyPart.ATTACHMENT);
        if (chunks.size() == 1) {
            value.append(";\r\n\tfilename*=").append(chunks.get(0));
        } else {
            for (int i = 0; i < chunks.size(); i++) {
                value.append(";\r\n\tfilename*").append(i).append("*=").append(chunks.get(i));
            }
        }
        return value.toString();
    }

    /** RFC 2231 {@code extended-other-values}: UTF-8, every octet but attribute-char as %XX. */
    private static String percentEncoded(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    private static String encodedWords(String name) {
        try {
            return MimeUtility.encodeText(name, "utf-8", null);
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /**
     * The second message: the original's From, Sender, Reply-To, To and Cc, Subject "Attachments of: <subject>", the
     * original's Date, a new Message-ID, In-Reply-To and References pointing at the original, Auto-Submitted
     * (RFC 3834: no vacation reply to it), a short text naming the files, then the files.
     */
    static MimeMessage attachmentsMessage(MimeMessage original, List<ExtractedFile> files)
        throws MessagingException {
        MimeMessage message = new MimeMessage(SESSION);
        for (String name : COPIED_HEADERS) {
            String[] values = original.getHeader(name);
            if (values != null) {
                for (String value : values) {
                    message.addHeader(name, value);
                }
            }
        }
        Optional<String> subject = subject(original);
        message.setSubject(SUBJECT_PREFIX + subject.orElse("(no subject)"), "utf-8");
        String date = original.getHeader("Date", null);
        if (date != null) {
            message.setHeader("Date", date);
        } else {
            message.setSentDate(new Date());
        }
        Optional<String> originalId = Optional.ofNullable(original.getHeader("Message-ID", null))
            .map(String::trim).filter(id -> id.startsWith("<") && id.endsWith(">") && id.length() > 2);
        originalId.ifPresent(id -> {
            try {
                message.setHeader("In-Reply-To", id);
                String references = original.getHeader("References", " ");
                String chain = references == null ? id : MimeUtility.unfold(references).trim() + " " + id;
                message.setHeader("References", MimeUtility.fold("References: ".length(), chain));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        });
        message.setHeader("Auto-Submitted", "auto-generated");

        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(explanation(original, subject, files), "utf-8");
        text.setDisposition(MimeBodyPart.INLINE);
        mixed.addBodyPart(text);
        for (ExtractedFile file : files) {
            mixed.addBodyPart(attachment(file));
        }
        message.setContent(mixed);
        message.saveChanges();
        message.setHeader("Message-ID", messageId(originalId));
        return message;
    }

    private static Optional<String> subject(MimeMessage original) {
        try {
            return Optional.ofNullable(original.getSubject()).map(String::strip).filter(s -> !s.isEmpty());
        } catch (MessagingException malformed) {
            return Optional.empty();
        }
    }

    private static String explanation(MimeMessage original, Optional<String> subject, List<ExtractedFile> files) {
        StringBuilder text = new StringBuilder();
        text.append("The message below came with a winmail.dat attachment (Microsoft TNEF), which most mail\n")
            .append("programs other than Outlook cannot open. Its contents are attached to this message.\n\n");
        text.append("  Subject: ").append(subject.orElse("(no subject)")).append('\n');
        from(original).ifPresent(from -> text.append("  From: ").append(from).append('\n'));
        try {
            Optional.ofNullable(original.getHeader("Date", null))
                .ifPresent(date -> text.append("  Date: ").append(MimeUtility.unfold(date).trim()).append('\n'));
        } catch (MessagingException ignored) {
            // no date line
        }
        text.append('\n').append(files.size()).append(files.size() == 1 ? " file:\n" : " files:\n");
        for (ExtractedFile file : files) {
            text.append("  - ").append(file.name()).append(" (").append(size(file.content().length)).append(")\n");
        }
        return text.toString();
    }

    private static Optional<String> from(MimeMessage original) {
        try {
            String[] from = original.getHeader("From");
            if (from == null || from.length == 0) {
                return Optional.empty();
            }
            try {
                InternetAddress[] addresses = InternetAddress.parseHeader(from[0], false);
                if (addresses.length > 0) {
                    return Optional.of(addresses[0].toUnicodeString());
                }
            } catch (MessagingException malformed) {
                // shown as written
            }
            return Optional.of(MimeUtility.decodeText(MimeUtility.unfold(from[0])).trim());
        } catch (MessagingException | UnsupportedEncodingException e) {
            return Optional.empty();
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** A new Message-ID, on the right-hand side of the original's (where the content comes from) if it has one. */
    private static String messageId(Optional<String> originalId) {
        String domain = originalId
            .map(id -> id.substring(1, id.length() - 1))
            .filter(id -> id.lastIndexOf('@') > 0)
            .map(id -> id.substring(id.lastIndexOf('@') + 1))
            .filter(right -> right.matches("[A-Za-z0-9.\\-\\[\\]:]{1,200}"))
            .orElse("switchboard.invalid");
        return "<tnef." + UUID.randomUUID() + "@" + domain + ">";
    }

}
