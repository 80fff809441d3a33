package org.switchboard.mailets.preprocessor.disclaimer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimePartDataSource;

/**
 * The MIME tree of a message as the disclaimer sees it: whether anything in it is signed or encrypted, and which
 * parts are "the body" that gets the disclaimer.
 *
 * <p>The body: a text/plain or text/html part that is not an attachment; in multipart/alternative, the plain and
 * the HTML alternative (the last of each, as clients show the last one they can); in multipart/related, its root;
 * in multipart/mixed and any other multipart, the first child that has a body. Attached messages (message/rfc822)
 * are never entered.
 *
 * <p>Multiparts are parsed straight from their data source, so reading the structure caches nothing in the
 * message's own objects.
 */
final class MessageStructure {
    /** Deeper nesting than this is not looked into: such a message is left as it is. */
    static final int MAX_DEPTH = 40;

    private static final Set<String> PROTECTED_TYPES = Set.of(
        "multipart/signed", "multipart/encrypted",
        "application/pkcs7-mime", "application/x-pkcs7-mime",
        "application/pkcs7-signature", "application/x-pkcs7-signature",
        "application/pgp-encrypted", "application/pgp-signature", "application/pgp");

    /** Where a part is: child indices from the message down; the empty list is the message itself. */
    record Target(List<Integer> path, MimePart part, ContentType type) {
    }

    private final MimeMessage message;
    private final Map<List<Integer>, MimeMultipart> multiparts = new HashMap<>();
    private Optional<String> protection = Optional.empty();
    private boolean tooDeep;
    private Target plain;
    private Target html;

    private MessageStructure(MimeMessage message) {
        this.message = message;
    }

    static MessageStructure of(MimeMessage message) throws MessagingException {
        MessageStructure structure = new MessageStructure(message);
        structure.walk(message, List.of());
        if (structure.protection.isEmpty() && !structure.tooDeep) {
            Body body = structure.find(message, List.of());
            structure.plain = body.plain;
            structure.html = body.html;
        }
        return structure;
    }

    MimeMessage message() {
        return message;
    }

    /** Why the message must not be changed (signed or encrypted part), if so. */
    Optional<String> protection() {
        return protection;
    }

    boolean tooDeep() {
        return tooDeep;
    }

    Optional<Target> plain() {
        return Optional.ofNullable(plain);
    }

    Optional<Target> html() {
        return Optional.ofNullable(html);
    }

    /** The parsed multipart the part at {@code path} holds (parsed during the walk). */
    MimeMultipart multipartAt(List<Integer> path) {
        return multiparts.get(path);
    }

    private void walk(MimePart part, List<Integer> path) throws MessagingException {
        if (protection.isPresent()) {
            return;
        }
        if (path.size() > MAX_DEPTH) {
            tooDeep = true;
            return;
        }
        Optional<ContentType> parsed = MimeParts.contentTypeIfValid(part);
        if (parsed.isEmpty()) {
            return;
        }
        ContentType type = parsed.get();
        String baseType = type.getBaseType().toLowerCase(java.util.Locale.ROOT);
        if (PROTECTED_TYPES.contains(baseType)) {
            protection = Optional.of(baseType + (path.isEmpty() ? "" : " part " + describe(path)));
            return;
        }
        if (!type.match("multipart/*")) {
            return;
        }
        MimeMultipart multipart = parse(part);
        if (multipart == null) {
            return;
        }
        multiparts.put(path, multipart);
        for (int i = 0; i < multipart.getCount(); i++) {
            walk((MimePart) multipart.getBodyPart(i), append(path, i));
        }
    }

    /** The multipart, or null when it does not parse (a malformed one is opaque: nothing in it is a body). */
    private static MimeMultipart parse(MimePart part) {
        try {
            MimeMultipart multipart = new MimeMultipart(new MimePartDataSource(part));
            multipart.getCount();
            return multipart;
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    private record Body(Target plain, Target html) {
        static final Body NONE = new Body(null, null);

        boolean isEmpty() {
            return plain == null && html == null;
        }
    }

    private Body find(MimePart part, List<Integer> path) throws MessagingException {
        Optional<ContentType> parsed = MimeParts.contentTypeIfValid(part);
        if (parsed.isEmpty() || MimeParts.isAttachment(part)) {
            return Body.NONE;
        }
        ContentType type = parsed.get();
        if (type.match("text/plain")) {
            return new Body(new Target(path, part, type), null);
        }
        if (type.match("text/html")) {
            return new Body(null, new Target(path, part, type));
        }
        MimeMultipart multipart = multiparts.get(path);
        if (!type.match("multipart/*") || multipart == null || !identityEncoded(part)) {
            return Body.NONE;
        }
        if (type.match("multipart/alternative")) {
            Target lastPlain = null;
            Target lastHtml = null;
            for (int i = 0; i < multipart.getCount(); i++) {
                Body alternative = find((MimePart) multipart.getBodyPart(i), append(path, i));
                lastPlain = alternative.plain != null ? alternative.plain : lastPlain;
                lastHtml = alternative.html != null ? alternative.html : lastHtml;
            }
            return new Body(lastPlain, lastHtml);
        }
        if (type.match("multipart/related")) {
            int root = relatedRoot(multipart, type.getParameter("start"), type.getParameter("type"));
            return root < 0 ? Body.NONE : find((MimePart) multipart.getBodyPart(root), append(path, root));
        }
        for (int i = 0; i < multipart.getCount(); i++) {
            Body body = find((MimePart) multipart.getBodyPart(i), append(path, i));
            if (!body.isEmpty()) {
                return body;
            }
        }
        return Body.NONE;
    }

    /** A multipart with a transfer encoding other than 7bit/8bit/binary is invalid (RFC 2045 6.4): not entered. */
    private static boolean identityEncoded(MimePart part) throws MessagingException {
        Optional<String> encoding = MimeParts.transferEncoding(part);
        return encoding.isEmpty() || Set.of("7bit", "8bit", "binary").contains(encoding.get());
    }

    /**
     * RFC 2387: the part whose Content-ID is the start parameter, else the first. Some writers (MimeKit's MHTML) put
     * the root after its images without a start parameter: then the first part of the type the type parameter names.
     */
    private static int relatedRoot(MimeMultipart multipart, String start, String rootType) throws MessagingException {
        if (multipart.getCount() == 0) {
            return -1;
        }
        if (start != null) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart candidate = multipart.getBodyPart(i);
                String[] ids = candidate.getHeader("Content-ID");
                if (ids != null && ids.length > 0 && ids[0].trim().equals(start.trim())) {
                    return i;
                }
            }
        }
        if (rootType != null) {
            for (int i = 0; i < multipart.getCount(); i++) {
                Optional<ContentType> type = MimeParts.contentTypeIfValid((MimePart) multipart.getBodyPart(i));
                if (type.isPresent() && type.get().match(rootType.trim())) {
                    return i;
                }
            }
        }
        return 0;
    }

    static List<Integer> append(List<Integer> path, int index) {
        List<Integer> child = new ArrayList<>(path);
        child.add(index);
        return List.copyOf(child);
    }

    /** 1-based part numbers, as IMAP names them (e.g. 1.2). */
    static String describe(List<Integer> path) {
        if (path.isEmpty()) {
            return "body";
        }
        StringBuilder name = new StringBuilder();
        for (int index : path) {
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(index + 1);
        }
        return name.toString();
    }
}
