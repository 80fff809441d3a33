package org.switchboard.mailets.preprocessor.antivirus;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.InitParameters;

/**
 * The anti-virus module of the preprocessor (spec, MTA Preprocessor Unit): every mail goes through ClamAV's
 * {@code clamd} over TCP, the whole message and each decoded part (see {@link MessageScanner}). Like James'
 * {@code ClamAVScan}, it only marks the mail; the pipeline acts on the mark with James' own mailets.
 *
 * <p>The mark is the attribute {@value #STATUS} ({@link Status}: {@code clean}, {@code infected}, {@code unscannable},
 * {@code unavailable}) and the header {@value #HEADER} ({@code clean (ClamAV 1.4.6/...)}, {@code infected: <names>
 * (...)}, {@code unscanned: <reason> (...)}). A header that came with the mail is removed first, so a sender cannot
 * forge {@code clean}. For infected and unscannable mail, the reason (which virus in which part, or what could not be
 * scanned) is also the mail's error message, which {@code ToRepository}, {@code NotifyPostmaster} and {@code Bounce}
 * show.
 */
public class AntiVirus extends GenericMailet {
    public static final String HEADER = "X-Switchboard-Virus-Scan";
    public static final String STATUS = "org.switchboard.antivirus.status";
    private static final AttributeName STATUS_NAME = AttributeName.of(STATUS);

    static final String HOST = "host";
    static final String PORT = "port";
    static final String TIMEOUT = "timeout";
    static final String MAX_SCAN_SIZE = "maxScanSize";

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3310;
    static final String DEFAULT_TIMEOUT = "60s";
    /** Debian's clamd.conf sets StreamMaxLength 25M (clamd's own default is 100M): safe with both. */
    static final String DEFAULT_MAX_SCAN_SIZE = "25M";
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final long MAX_MAX_SCAN_SIZE = 4L * 1024 * 1024 * 1024 - 1;
    /** James' JPA mail repository keeps an error message in 200 characters. */
    private static final int MAX_ERROR_MESSAGE_LENGTH = 200;
    private static final int MAX_HEADER_REASON_LENGTH = 200;

    private static final Logger LOGGER = LoggerFactory.getLogger(AntiVirus.class);

    /** The mark, as the pipeline's {@code HasMailAttributeWithValue} matchers read it. */
    public enum Status {
        CLEAN, INFECTED, UNSCANNABLE, UNAVAILABLE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Makes the scanner from the configuration: clamd for real, a fake in tests. */
    interface ScannerFactory {
        VirusScanner create(String host, int port, Duration timeout);
    }

    /** The init parameters, read in one place. */
    record Settings(String host, int port, Duration timeout, long maxScanSize) {
    }

    private final ScannerFactory scannerFactory;
    private Settings settings;
    private VirusScanner scanner;
    private MessageScanner messageScanner;

    public AntiVirus() {
        this(ClamdScanner::new);
    }

    AntiVirus(ScannerFactory scannerFactory) {
        this.scannerFactory = scannerFactory;
    }

    @Override
    public void init() throws MessagingException {
        settings = settings();
        scanner = scannerFactory.create(settings.host(), settings.port(), settings.timeout());
        messageScanner = new MessageScanner(scanner, settings.maxScanSize());
    }

    private Settings settings() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        try {
            parameters.checkNames(this::checkInitParameters, Set.of(HOST, PORT, TIMEOUT, MAX_SCAN_SIZE));
        } catch (MessagingException e) {
            // the actions of earlier versions (action, quarantineRepository, notice...) moved to the XML
            throw new MessagingException(e.getMessage() + " (infected mail is handled by the pipeline: docs/reference.md, AntiVirus)");
        }
        String host = parameters.value(HOST, DEFAULT_HOST);
        if (host.chars().anyMatch(Character::isWhitespace)) {
            throw parameters.invalid(HOST, host, "not a host name or address");
        }
        int port = parameters.optional(PORT, Integer::valueOf).orElse(DEFAULT_PORT);
        if (port < 1 || port > 65535) {
            throw parameters.invalid(PORT, Integer.toString(port), "not a TCP port (1-65535)");
        }
        Duration timeout = parameters.duration(TIMEOUT, DEFAULT_TIMEOUT, ChronoUnit.SECONDS);
        if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw parameters.invalid(TIMEOUT, timeout.toString(), "must be above 0 and at most 1h");
        }
        // James' Size: bytes, or K, M, G as in clamd.conf
        long maxScanSize = parameters.size(MAX_SCAN_SIZE, DEFAULT_MAX_SCAN_SIZE);
        if (maxScanSize > MAX_MAX_SCAN_SIZE) {
            throw parameters.invalid(MAX_SCAN_SIZE, Long.toString(maxScanSize),
                "at most 4G; it must not exceed clamd's StreamMaxLength");
        }
        return new Settings(host, port, timeout, maxScanSize);
    }

    @Override
    public String getMailetInfo() {
        return "Anti-virus: scans mail with ClamAV's clamd and marks it clean, infected, unscannable or unavailable";
    }

    @Override
    public void destroy() {
        if (scanner != null) {
            scanner.close();
        }
    }

    @Override
    public void service(Mail mail) {
        MimeMessage message;
        try {
            message = mail.getMessage();
        } catch (MessagingException | RuntimeException e) {
            mark(mail, Status.UNSCANNABLE, null, "the message cannot be read: " + e.getMessage());
            LOGGER.warn("Anti-virus, mail {}: the message cannot be read ({}); marked unscannable", mail.getName(),
                e.toString());
            return;
        }
        String engine;
        ScanReport report;
        try {
            engine = scanner.engine();
            report = messageScanner.scan(message, mail.getName());
        } catch (ScannerUnavailableException e) {
            unavailable(mail, e);
            return;
        }
        if (report.infection().isPresent()) {
            infected(mail, report.infection().get(), engine);
        } else if (!report.complete()) {
            unscannable(mail, report, engine);
        } else {
            mark(mail, Status.CLEAN, "clean (" + engine + ")", null);
            LOGGER.debug("Anti-virus, mail {}: clean ({} streams scanned by {})", mail.getName(), report.scans(),
                engine);
        }
    }

    /** An expected condition (clamd restarting, down): one line, the pipeline holds the mail. */
    private void unavailable(Mail mail, ScannerUnavailableException e) {
        mark(mail, Status.UNAVAILABLE, "unscanned: scanner unavailable", null);
        LOGGER.warn("Anti-virus, mail {}: not scanned, clamd at {}:{} unavailable ({}); marked {}: the pipeline"
            + " holds it for a later attempt", mail.getName(), settings.host(), settings.port(), e.getMessage(),
            Status.UNAVAILABLE.value());
    }

    private void infected(Mail mail, ScanReport.Finding finding, String engine) {
        List<String> signatures = finding.signatures();
        String names = String.join(", ", signatures.subList(0, Math.min(3, signatures.size())));
        mark(mail, Status.INFECTED, "infected: " + names + " (" + engine + ")",
            "virus " + names + " in " + finding.where() + " (" + engine + ")");
        LOGGER.info("Anti-virus, mail {} from {} to {}: virus {} found in {} by {}; marked {}", mail.getName(),
            mail.getMaybeSender().asPrettyString(), mail.getRecipients(), names, finding.where(), engine,
            Status.INFECTED.value());
    }

    private void unscannable(Mail mail, ScanReport report, String engine) {
        String reasons = String.join("; ", report.unscannable());
        mark(mail, Status.UNSCANNABLE, "unscanned: " + cut(reasons, MAX_HEADER_REASON_LENGTH) + " (" + engine + ")",
            "not completely scanned: " + reasons);
        LOGGER.warn("Anti-virus, mail {} from {} to {}: not completely scanned: {}; marked {}", mail.getName(),
            mail.getMaybeSender().asPrettyString(), mail.getRecipients(), reasons, Status.UNSCANNABLE.value());
    }

    /**
     * Sets the attribute, writes the header, if any, replacing those that came with the mail (none for a message that
     * cannot be read) and, when there is a reason, the error message. A message whose header cannot be changed
     * (malformed beyond what JavaMail accepts) keeps the attribute only: the pipeline acts on that.
     */
    private void mark(Mail mail, Status status, String header, String reason) {
        mail.setAttribute(new Attribute(STATUS_NAME, AttributeValue.of(status.value())));
        if (reason != null) {
            mail.setErrorMessage(cut(getMailetName() + ": " + reason, MAX_ERROR_MESSAGE_LENGTH));
        }
        if (header == null) {
            return;
        }
        try {
            MimeMessage message = mail.getMessage();
            message.removeHeader(HEADER);
            message.addHeader(HEADER, MimeUtility.fold(HEADER.length() + 2, header));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("Anti-virus, mail {}: cannot write the header {}: {}", mail.getName(), HEADER, e.toString());
        }
    }

    private static String cut(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length - 3) + "...";
    }
}
