package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.ParseException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.InputChannel;
import org.switchboard.directory.routing.Route;

/**
 * The spec's auto text insertion engine: appends a disclaimer to a message's text, plain and HTML.
 *
 * <p>Which messages: those the matcher selects (the Channel Action Matrix, e.g.
 * {@code ChannelMatrix=in:WEBMAIL;out:SMTPC}), and among them, when {@code inputChannels} is set, only those that
 * entered by one of these channels (the spec's "second level": one disclaimer per source channel).
 *
 * <p>Where: the message's body, found by {@link MessageStructure} (text/plain gets the text at its end, text/html
 * gets the HTML before {@code </body>}, multipart/alternative gets both). Signed and encrypted messages (S/MIME,
 * PGP/MIME, inline PGP) are never changed, nor (with {@code dkimSigned=skip}) messages with a DKIM signature.
 *
 * <p>Once: the message gets the header {@code X-Switchboard-Disclaimer: NAME}; a message carrying it whose body
 * already shows the text is not given it again (a header alone, which anyone can write, does not stop it).
 *
 * <p>A message that cannot take the disclaimer safely (unknown charset or transfer encoding, text not valid in its
 * charset when a conversion would be needed, HTML where the disclaimer would not show, a part over
 * {@code maxTextSize}, or any parse error) goes on unchanged, with a log line saying why. This mailet never throws
 * for a message's content.
 */
public class Disclaimer extends GenericMailet {
    static final String TEXT = "text";
    static final String TEXT_FILE = "textFile";
    static final String HTML = "html";
    static final String HTML_FILE = "htmlFile";
    static final String NAME = "name";
    static final String INPUT_CHANNELS = "inputChannels";
    static final String DKIM_SIGNED = "dkimSigned";
    static final String MAX_TEXT_SIZE = "maxTextSize";
    static final Set<String> PARAMETERS = Set.of(TEXT, TEXT_FILE, HTML, HTML_FILE, NAME, INPUT_CHANNELS, DKIM_SIGNED,
        MAX_TEXT_SIZE, "onMailetException", "onMatchException");

    static final String DEFAULT_NAME = "disclaimer";
    static final long DEFAULT_MAX_TEXT_SIZE = 10L * 1024 * 1024;
    /** A disclaimer is a few lines; a bigger file is a mistake (a wrong path), not a disclaimer. */
    static final int MAX_DISCLAIMER_OCTETS = 64 * 1024;

    private static final Logger LOGGER = LoggerFactory.getLogger(Disclaimer.class);
    private static final Pattern NAME_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SIZE_SYNTAX = Pattern.compile("(\\d{1,12})\\s*([kKmM]?)");

    private DisclaimerInserter inserter;
    private String name;
    private Set<String> inputChannels;
    private boolean skipDkimSigned;

    @Override
    public void init() throws MessagingException {
        Set<String> unknown = new LinkedHashSet<>();
        getInitParameterNames().forEachRemaining(unknown::add);
        unknown.removeAll(PARAMETERS);
        if (!unknown.isEmpty()) {
            throw error("unknown init parameter(s) " + unknown + "; known: "
                + PARAMETERS.stream().sorted().collect(Collectors.joining(", ")));
        }
        name = parameter(NAME).orElse(DEFAULT_NAME);
        if (!NAME_SYNTAX.matcher(name).matches()) {
            throw error("init parameter " + NAME + " '" + name + "' must be 1 to 64 letters, digits, '.', '_' or '-'"
                + " (it is the value of the " + DisclaimerInserter.MARKER_HEADER + " header)");
        }
        Optional<String> plain = text(TEXT, TEXT_FILE);
        Optional<String> html = text(HTML, HTML_FILE);
        if (plain.isEmpty() && html.isEmpty()) {
            throw error("no disclaimer: give init parameter " + TEXT + " or " + TEXT_FILE + " (plain text), and/or "
                + HTML + " or " + HTML_FILE + " (HTML)");
        }
        DisclaimerText disclaimer;
        try {
            disclaimer = DisclaimerText.of(name, plain, html);
        } catch (IllegalArgumentException e) {
            throw error("the disclaimer of " + (plain.isPresent() ? TEXT + "/" + TEXT_FILE : HTML + "/" + HTML_FILE)
                + " is unusable: " + e.getMessage());
        }
        inputChannels = channels();
        skipDkimSigned = dkimPolicy();
        inserter = new DisclaimerInserter(disclaimer, maxTextSize());
    }

    @Override
    public String getMailetInfo() {
        return "Disclaimer: appends a plain-text and HTML disclaimer to the message body";
    }

    @Override
    public void service(Mail mail) {
        try {
            insert(mail);
        } catch (Exception e) {
            // hostile or broken input: the mail goes on as it came
            LOGGER.warn("Disclaimer {}: mail {} left unchanged, it could not be read: {}", name, mail.getName(),
                e.toString());
        }
    }

    private void insert(Mail mail) throws MessagingException, IOException {
        if (!inputChannels.isEmpty()) {
            Optional<String> channel = InputChannel.of(mail);
            if (channel.isEmpty() || !inputChannels.contains(channel.get())) {
                LOGGER.debug("Disclaimer {}: mail {} from input channel {}, not one of {}", name, mail.getName(),
                    channel.orElse("(none)"), inputChannels);
                return;
            }
        }
        MimeMessage message = mail.getMessage();
        // the cheap refusals first, before the message is copied
        Optional<String> protectedType = protectedType(message);
        if (protectedType.isPresent()) {
            LOGGER.info("Disclaimer {}: mail {} left unchanged: signed or encrypted ({})", name, mail.getName(),
                protectedType.get());
            return;
        }
        if (skipDkimSigned && message.getHeader("DKIM-Signature") != null) {
            LOGGER.info("Disclaimer {}: mail {} left unchanged: it has a DKIM signature ({}=skip)", name,
                mail.getName(), DKIM_SIGNED);
            return;
        }
        // a private copy: reading the structure must not touch the mail's own message, and the copy's octets are
        // what the message would be written as (a change an earlier mailet made is in them)
        MimeMessageWrapper copy = DisclaimerInserter.copyOf(message, mail.getName());
        DisclaimerInserter.Outcome outcome;
        try {
            outcome = inserter.insert(copy, mail.getName());
        } finally {
            LifecycleUtil.dispose(copy);
        }
        if (outcome instanceof DisclaimerInserter.Inserted inserted) {
            if (mail instanceof MailImpl james) {
                james.setMessageNoCopy(inserted.message());
            } else {
                mail.setMessage(inserted.message());
            }
            LOGGER.debug("Disclaimer {}: mail {} given the disclaimer in {}", name, mail.getName(),
                inserted.description());
        } else if (outcome instanceof DisclaimerInserter.Unchanged unchanged) {
            if (unchanged.notable()) {
                LOGGER.info("Disclaimer {}: mail {} left unchanged: {}", name, mail.getName(), unchanged.reason());
            } else {
                LOGGER.debug("Disclaimer {}: mail {} left unchanged: {}", name, mail.getName(), unchanged.reason());
            }
        }
    }

    /** The message's own type when it is signed or encrypted as a whole (deeper parts are looked at on a copy). */
    private static Optional<String> protectedType(MimeMessage message) throws MessagingException {
        String value = message.getContentType();
        if (value == null) {
            return Optional.empty();
        }
        try {
            String type = new ContentType(value).getBaseType().toLowerCase(Locale.ROOT);
            return type.equals("multipart/signed") || type.equals("multipart/encrypted")
                || type.matches("application/(x-)?pkcs7-mime|application/pgp.*") ? Optional.of(type) : Optional.empty();
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------------------ configuration

    private MessagingException error(String message) {
        return new MessagingException(getMailetName() + ": " + message);
    }

    private Optional<String> parameter(String parameter) {
        String value = getInitParameter(parameter);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The inline text, or the content of the file; not both. */
    private Optional<String> text(String inline, String file) throws MessagingException {
        String inlineValue = getInitParameter(inline);
        Optional<String> path = parameter(file);
        if (inlineValue != null && !inlineValue.isBlank() && path.isPresent()) {
            throw error("init parameters " + inline + " and " + file + " are both given; keep one");
        }
        if (inlineValue != null && inlineValue.isBlank() || inlineValue == null && getInitParameter(file) != null
            && path.isEmpty()) {
            throw error("init parameter " + (inlineValue != null ? inline : file) + " is empty");
        }
        if (path.isPresent()) {
            return Optional.of(readFile(file, path.get()));
        }
        return Optional.ofNullable(inlineValue);
    }

    /** A file named as James names them ({@code file://conf/x}, relative to the server's folder) or by a path. */
    private String readFile(String parameter, String value) throws MessagingException {
        Path file = resolve(value);
        if (!Files.exists(file)) {
            throw error("init parameter " + parameter + ": " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw error("init parameter " + parameter + ": " + file + " is not a readable file");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_DISCLAIMER_OCTETS) {
                throw error("init parameter " + parameter + ": " + file + " has " + size + " octets, more than the "
                    + MAX_DISCLAIMER_OCTETS + " a disclaimer may have");
            }
            byte[] octets = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(octets)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw error("init parameter " + parameter + ": " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw error("init parameter " + parameter + ": " + file + " cannot be read: " + e.getMessage());
        }
    }

    static Path resolve(String value) {
        String path = value.startsWith("file://") ? value.substring("file://".length()) : value;
        Path file = Path.of(path);
        if (file.isAbsolute()) {
            return file;
        }
        return Path.of(System.getProperty("working.directory", ".")).resolve(file).normalize();
    }

    private Set<String> channels() throws MessagingException {
        Optional<String> value = parameter(INPUT_CHANNELS);
        if (value.isEmpty()) {
            if (getInitParameter(INPUT_CHANNELS) != null) {
                throw error("init parameter " + INPUT_CHANNELS + " is empty; leave it out for every channel");
            }
            return Set.of();
        }
        Set<String> channels = new LinkedHashSet<>();
        for (String item : value.get().split(",", -1)) {
            String channel;
            try {
                channel = Route.channelName(item.trim());
            } catch (IllegalArgumentException e) {
                throw error("init parameter " + INPUT_CHANNELS + " '" + value.get() + "': '" + item.trim()
                    + "' is not a channel name");
            }
            if (!InputChannel.KNOWN.contains(channel)) {
                throw error("init parameter " + INPUT_CHANNELS + " '" + value.get() + "': " + channel
                    + " is not an input channel; input channels are "
                    + InputChannel.KNOWN.stream().sorted().collect(Collectors.joining(", ")));
            }
            channels.add(channel);
        }
        return Set.copyOf(channels);
    }

    private boolean dkimPolicy() throws MessagingException {
        String value = parameter(DKIM_SIGNED).orElse("insert").toLowerCase(Locale.ROOT);
        if (!Arrays.asList("insert", "skip").contains(value)) {
            throw error("init parameter " + DKIM_SIGNED + " '" + getInitParameter(DKIM_SIGNED)
                + "' must be insert (the default) or skip");
        }
        return value.equals("skip");
    }

    private long maxTextSize() throws MessagingException {
        Optional<String> value = parameter(MAX_TEXT_SIZE);
        if (value.isEmpty()) {
            return DEFAULT_MAX_TEXT_SIZE;
        }
        Matcher size = SIZE_SYNTAX.matcher(value.get());
        if (!size.matches()) {
            throw error("init parameter " + MAX_TEXT_SIZE + " '" + value.get()
                + "' must be a number of octets, optionally followed by k or m (e.g. 10m)");
        }
        long number = Long.parseLong(size.group(1));
        long unit = switch (size.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1024L;
            case "m" -> 1024L * 1024;
            default -> 1L;
        };
        if (number == 0) {
            throw error("init parameter " + MAX_TEXT_SIZE + " must be more than 0");
        }
        return number * unit;
    }
}
