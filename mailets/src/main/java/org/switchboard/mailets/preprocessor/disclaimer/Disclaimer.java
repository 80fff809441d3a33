package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

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
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.ReloadingFile;

/**
 * The spec's auto text insertion engine: appends a disclaimer to a message's text, plain and HTML.
 *
 * <p>Which messages: those the matcher selects, the Channel Action Matrix (e.g.
 * {@code ChannelMatrix=in:WEBMAIL;out:SMTPC}); the spec's "second level", one disclaimer per source channel, is one
 * such mailet per input channel, each with its own matcher and texts.
 *
 * <p>The texts: inline ({@code text}, {@code html}) or in files ({@code textFile}, {@code htmlFile}, UTF-8, found by
 * {@link ConfigFiles}), which are read again when they change ({@link ReloadingFile}: an edit that makes a text
 * unusable keeps the previous one in force).
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
    static final String DKIM_SIGNED = "dkimSigned";
    static final String MAX_TEXT_SIZE = "maxTextSize";
    static final Set<String> PARAMETERS = Set.of(TEXT, TEXT_FILE, HTML, HTML_FILE, NAME, DKIM_SIGNED, MAX_TEXT_SIZE);

    static final String DEFAULT_NAME = "disclaimer";
    static final String DEFAULT_MAX_TEXT_SIZE = "10m";
    /** A disclaimer is a few lines; a bigger file is a mistake (a wrong path), not a disclaimer. */
    static final int MAX_DISCLAIMER_OCTETS = 64 * 1024;

    private static final Logger LOGGER = LoggerFactory.getLogger(Disclaimer.class);
    private static final Pattern NAME_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** What to do with a message carrying a DKIM signature, which the disclaimer would break. */
    enum DkimSigned { INSERT, SKIP }

    /** The texts in force (a file's content as last read) and the inserter made of them. */
    private record Texts(Optional<String> plain, Optional<String> html) {
    }

    private record Current(Texts texts, DisclaimerInserter inserter) {
    }

    private final ConfigFiles configFiles;
    private final LongSupplier nanoClock;
    private String name;
    private boolean skipDkimSigned;
    private long maxTextSize;
    private Supplier<Optional<String>> plainText;
    private Supplier<Optional<String>> htmlText;
    private volatile Current current;

    public Disclaimer() {
        this(ConfigFiles.ofServer(), System::nanoTime);
    }

    /** {@code configFiles}: where text files are; {@code nanoClock}: for their reload checks. */
    Disclaimer(ConfigFiles configFiles, LongSupplier nanoClock) {
        this.configFiles = configFiles;
        this.nanoClock = nanoClock;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, PARAMETERS);
        name = parameters.value(NAME, DEFAULT_NAME);
        if (!NAME_SYNTAX.matcher(name).matches()) {
            throw parameters.invalid(NAME, name, "must be 1 to 64 letters, digits, '.', '_' or '-' (it is the value "
                + "of the " + DisclaimerInserter.MARKER_HEADER + " header)");
        }
        skipDkimSigned = parameters.choice(DKIM_SIGNED, DkimSigned.class, DkimSigned.INSERT) == DkimSigned.SKIP;
        maxTextSize = parameters.size(MAX_TEXT_SIZE, DEFAULT_MAX_TEXT_SIZE);
        plainText = text(parameters, TEXT, TEXT_FILE,
            plain -> DisclaimerText.of(name, Optional.of(plain), Optional.empty()));
        htmlText = text(parameters, HTML, HTML_FILE,
            html -> DisclaimerText.of(name, Optional.empty(), Optional.of(html)));
        Texts texts = new Texts(plainText.get(), htmlText.get());
        if (texts.plain().isEmpty() && texts.html().isEmpty()) {
            throw new MessagingException(getMailetName() + ": no disclaimer: give init parameter " + TEXT + " or "
                + TEXT_FILE + " (plain text), and/or " + HTML + " or " + HTML_FILE + " (HTML)");
        }
        current = new Current(texts, inserter(texts));
    }

    /**
     * One form of the disclaimer: the inline text, or the content of the file (re-read when it changes); not both.
     * {@code check} refuses a text unusable on its own, so that a bad edit of a file keeps the previous text.
     */
    private Supplier<Optional<String>> text(InitParameters parameters, String inline, String file,
                                            Consumer<String> check) throws MessagingException {
        Optional<String> inlineValue = parameters.optional(inline);
        Optional<String> fileName = parameters.optional(file);
        if (inlineValue.isPresent() && fileName.isPresent()) {
            throw new MessagingException(getMailetName() + ": init parameters " + inline + " and " + file
                + " are both given; keep one");
        }
        if (inlineValue.isPresent()) {
            String text = getInitParameter(inline);
            try {
                check.accept(text);
            } catch (IllegalArgumentException e) {
                throw parameters.invalid(inline, inlineValue.get(), "unusable: " + e.getMessage());
            }
            return () -> Optional.of(text);
        }
        if (fileName.isEmpty()) {
            return Optional::empty;
        }
        try {
            ReloadingFile<String> reloading = ReloadingFile.load("Disclaimer " + file,
                configFiles.resolve(fileName.get()), path -> {
                    String text = readText(path);
                    check.accept(text);
                    return text;
                }, text -> text.length() + " characters", nanoClock, ReloadingFile.CHECK_INTERVAL);
            return () -> Optional.of(reloading.current());
        } catch (IllegalArgumentException e) {
            throw parameters.invalid(file, fileName.get(), e.getMessage());
        }
    }

    /** A disclaimer file: UTF-8 (a byte order mark is dropped), at most {@link #MAX_DISCLAIMER_OCTETS}. */
    private static String readText(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_DISCLAIMER_OCTETS) {
            throw new IllegalArgumentException("it has " + size + " octets, more than the " + MAX_DISCLAIMER_OCTETS
                + " a disclaimer may have");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("it is not UTF-8 text", e);
        }
    }

    private DisclaimerInserter inserter(Texts texts) {
        return new DisclaimerInserter(DisclaimerText.of(name, texts.plain(), texts.html()), maxTextSize);
    }

    /** The inserter for the texts in force, made again when a file was re-read. */
    private DisclaimerInserter inserter() {
        Texts texts = new Texts(plainText.get(), htmlText.get());
        Current known = current;
        if (known.texts().equals(texts)) {
            return known.inserter();
        }
        Current updated = new Current(texts, inserter(texts));
        current = updated;
        return updated.inserter();
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
            outcome = inserter().insert(copy, mail.getName());
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
}
