package org.switchboard.mailets.preprocessor.tnef;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The MIME type of an extracted file: the type the sender's Outlook recorded (PR_ATTACH_MIME_TAG) when it is a
 * well-formed {@code type/subtype} other than {@code application/octet-stream}, else a guess from the file name's extension, else
 * {@code application/octet-stream}. The table covers what travels in winmail.dat in practice; javax.activation's
 * default map is too small (no PDF, no Office formats).
 */
final class ContentTypes {
    static final String OCTET_STREAM = "application/octet-stream";
    private static final Pattern MIME_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
        Map.entry("txt", "text/plain"),
        Map.entry("log", "text/plain"),
        Map.entry("csv", "text/csv"),
        Map.entry("htm", "text/html"),
        Map.entry("html", "text/html"),
        Map.entry("xml", "text/xml"),
        Map.entry("rtf", "application/rtf"),
        Map.entry("ics", "text/calendar"),
        Map.entry("vcf", "text/vcard"),
        Map.entry("pdf", "application/pdf"),
        Map.entry("doc", "application/msword"),
        Map.entry("dot", "application/msword"),
        Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        Map.entry("xls", "application/vnd.ms-excel"),
        Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Map.entry("ppt", "application/vnd.ms-powerpoint"),
        Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        Map.entry("odt", "application/vnd.oasis.opendocument.text"),
        Map.entry("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        Map.entry("odp", "application/vnd.oasis.opendocument.presentation"),
        Map.entry("msg", "application/vnd.ms-outlook"),
        Map.entry("eml", "message/rfc822"),
        Map.entry("zip", "application/zip"),
        Map.entry("7z", "application/x-7z-compressed"),
        Map.entry("gz", "application/gzip"),
        Map.entry("tar", "application/x-tar"),
        Map.entry("rar", "application/vnd.rar"),
        Map.entry("jpg", "image/jpeg"),
        Map.entry("jpeg", "image/jpeg"),
        Map.entry("png", "image/png"),
        Map.entry("gif", "image/gif"),
        Map.entry("bmp", "image/bmp"),
        Map.entry("tif", "image/tiff"),
        Map.entry("tiff", "image/tiff"),
        Map.entry("svg", "image/svg+xml"),
        Map.entry("mp3", "audio/mpeg"),
        Map.entry("wav", "audio/wav"),
        Map.entry("mp4", "video/mp4"),
        Map.entry("avi", "video/x-msvideo"),
        Map.entry("mov", "video/quicktime"));

    private ContentTypes() {
    }

    static String of(String fileName, Optional<String> declared) {
        Optional<String> valid = declared.map(type -> type.trim().toLowerCase(Locale.ROOT))
            .filter(type -> MIME_TYPE.matcher(type).matches())
            .filter(type -> !type.equals(OCTET_STREAM));
        return valid.orElseGet(() -> byName(fileName));
    }

    static String byName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return OCTET_STREAM;
        }
        return BY_EXTENSION.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
    }
}
