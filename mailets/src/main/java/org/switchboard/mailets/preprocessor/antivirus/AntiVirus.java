package org.switchboard.mailets.preprocessor.antivirus;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.util.DurationParser;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anti-virus module of the preprocessor (spec, MTA Preprocessor Unit): every mail goes through ClamAV's
 * {@code clamd} over TCP, the whole message and each decoded part (see {@link MessageScanner}).
 *
 * <ul>
 * <li>Clean: the mail goes on with the header {@value #HEADER}{@code : clean (ClamAV 1.4.6/...)}. The header is
 * always written by this mailet; one that came with the mail is removed first, so a sender cannot forge it.</li>
 * <li>Infected: {@code action} says what happens: {@code delete} (dropped, notice to the administrator),
 * {@code bounce} (dropped, delivery status notification to the sender without the virus; never to a null sender:
 * then a notice), {@code archive} (stored in {@code quarantineRepository} with the reason as its error message,
 * dropped, notice). The mail is dropped only for the recipients the matcher gave this mailet.</li>
 * <li>Not completely scannable (a part larger than {@code maxScanSize}, over 500 parts, nesting over 30 levels,
 * unreadable, clamd refusing the stream): {@code unscannable} says what happens: {@code archive} (default, as an
 * infected mail), {@code deliver} (with {@value #HEADER}{@code : unscanned: reason}), or {@code hold} (as if clamd
 * were unavailable).</li>
 * <li>clamd unreachable, not answering within {@code timeout}, or answering nonsense: {@link #service} throws, the
 * mail unchanged goes to the mailet's {@code onMailetException} processor, which the shipped pipeline names: it
 * re-queues the mail for a later attempt. The mail is never delivered unscanned; {@code onMailetException=ignore}
 * (which would deliver it) is refused.</li>
 * </ul>
 *
 * <p>James builds this mailet through Guice, which injects the server's mail repository store (the quarantine).
 */
public class AntiVirus extends GenericMailet {
    public static final String HEADER = "X-Switchboard-Virus-Scan";

    static final String HOST = "host";
    static final String PORT = "port";
    static final String TIMEOUT = "timeout";
    static final String ACTION = "action";
    static final String QUARANTINE = "quarantineRepository";
    static final String MAX_SCAN_SIZE = "maxScanSize";
    static final String UNSCANNABLE = "unscannable";
    static final String NOTICE = "notice";
    static final String ON_MAILET_EXCEPTION = "onMailetException";
    private static final Set<String> PARAMETERS = Set.of(HOST, PORT, TIMEOUT, ACTION, QUARANTINE, MAX_SCAN_SIZE,
        UNSCANNABLE, NOTICE, ON_MAILET_EXCEPTION, "onMatchException");

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3310;
    static final String DEFAULT_TIMEOUT = "60s";
    static final String DEFAULT_QUARANTINE = "jpa://var/mail/quarantine/";
    /** Debian's clamd.conf sets StreamMaxLength 25M (clamd's own default is 100M): safe with both. */
    static final String DEFAULT_MAX_SCAN_SIZE = "25M";
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final long MAX_MAX_SCAN_SIZE = 4L * 1024 * 1024 * 1024 - 1;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,13})([kKmMgG]?)");
    /** James' JPA mail repository keeps an error message in 200 characters. */
    static final int MAX_ERROR_MESSAGE_LENGTH = 200;
    private static final int MAX_HEADER_REASON_LENGTH = 200;

    private static final Logger LOGGER = LoggerFactory.getLogger(AntiVirus.class);

    enum Action { DELETE, BOUNCE, ARCHIVE }

    enum Unscannable { ARCHIVE, DELIVER, HOLD }

    /** Makes the scanner from the configuration: clamd for real, a fake in tests. */
    interface ScannerFactory {
        VirusScanner create(String host, int port, Duration timeout);
    }

    private final MailRepositoryStore repositories;
    private final ScannerFactory scannerFactory;
    private String host;
    private int port;
    private Action action;
    private Unscannable unscannable;
    private Optional<MailAddress> noticeRecipient;
    private boolean noticeToPostmaster;
    private long maxScanSize;
    private MailRepositoryUrl quarantineUrl;
    private MailRepository quarantine;
    private VirusScanner scanner;
    private MessageScanner messageScanner;

    @Inject
    public AntiVirus(MailRepositoryStore repositories) {
        this(repositories, ClamdScanner::new);
    }

    AntiVirus(MailRepositoryStore repositories, ScannerFactory scannerFactory) {
        this.repositories = repositories;
        this.scannerFactory = scannerFactory;
    }

    @Override
    public void init() throws MessagingException {
        Set<String> unknown = new LinkedHashSet<>();
        getInitParameterNames().forEachRemaining(unknown::add);
        unknown.removeAll(PARAMETERS);
        if (!unknown.isEmpty()) {
            throw bad("unknown init parameter(s) " + unknown + "; the parameters are " + HOST + ", " + PORT + ", "
                + TIMEOUT + ", " + ACTION + ", " + QUARANTINE + ", " + MAX_SCAN_SIZE + ", " + UNSCANNABLE + ", "
                + NOTICE);
        }
        host = text(HOST, DEFAULT_HOST);
        if (host.chars().anyMatch(Character::isWhitespace)) {
            throw bad("init parameter " + HOST + " '" + host + "' is not a host name or address");
        }
        port = port();
        Duration timeout = timeout();
        action = choice(ACTION, Action.class, Action.DELETE);
        unscannable = choice(UNSCANNABLE, Unscannable.class, Unscannable.ARCHIVE);
        maxScanSize = maxScanSize();
        notice();
        checkOnMailetException();
        if (action == Action.ARCHIVE || unscannable == Unscannable.ARCHIVE) {
            quarantine = quarantine();
        }
        scanner = scannerFactory.create(host, port, timeout);
        messageScanner = new MessageScanner(scanner, maxScanSize);
    }

    private MessagingException bad(String problem) {
        return new MessagingException(getMailetName() + ": " + problem);
    }

    private String text(String name, String defaultValue) throws MessagingException {
        String value = getInitParameter(name);
        if (value == null) {
            return defaultValue;
        }
        if (value.isBlank()) {
            throw bad("init parameter " + name + " is empty (default " + defaultValue + ")");
        }
        return value.trim();
    }

    private int port() throws MessagingException {
        String value = text(PORT, Integer.toString(DEFAULT_PORT));
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= 65535) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad("init parameter " + PORT + " '" + value + "' is not a TCP port (1-65535)");
    }

    private Duration timeout() throws MessagingException {
        String value = text(TIMEOUT, DEFAULT_TIMEOUT);
        Duration parsed;
        try {
            parsed = DurationParser.parse(value, ChronoUnit.SECONDS);
        } catch (RuntimeException e) {
            throw bad("init parameter " + TIMEOUT + " '" + value + "' is not a duration (e.g. 500ms, 30s, 2m)");
        }
        if (parsed.isZero() || parsed.compareTo(MAX_TIMEOUT) > 0) {
            throw bad("init parameter " + TIMEOUT + " '" + value + "' must be above 0 and at most 1h");
        }
        return parsed;
    }

    private <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) throws MessagingException {
        String value = text(name, defaultValue.name().toLowerCase(Locale.ROOT));
        for (E candidate : type.getEnumConstants()) {
            if (candidate.name().equalsIgnoreCase(value)) {
                return candidate;
            }
        }
        List<String> allowed = java.util.Arrays.stream(type.getEnumConstants())
            .map(candidate -> candidate.name().toLowerCase(Locale.ROOT)).toList();
        throw bad("init parameter " + name + " '" + value + "' is not one of " + allowed);
    }

    private long maxScanSize() throws MessagingException {
        String value = text(MAX_SCAN_SIZE, DEFAULT_MAX_SCAN_SIZE);
        Matcher matcher = SIZE.matcher(value);
        if (matcher.matches()) {
            long number = Long.parseLong(matcher.group(1));
            long unit = switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> 1024L;
                case "M" -> 1024L * 1024;
                case "G" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            if (number > 0 && number <= MAX_MAX_SCAN_SIZE / unit && number * unit <= MAX_MAX_SCAN_SIZE) {
                return number * unit;
            }
        }
        throw bad("init parameter " + MAX_SCAN_SIZE + " '" + value + "' is not a size between 1 byte and 4G"
            + " (bytes, or with K, M or G as in clamd.conf, e.g. 25M); it must not exceed clamd's StreamMaxLength");
    }

    private void notice() throws MessagingException {
        String value = text(NOTICE, "postmaster");
        noticeToPostmaster = value.equalsIgnoreCase("postmaster");
        if (noticeToPostmaster || value.equalsIgnoreCase("none")) {
            noticeRecipient = Optional.empty();
            return;
        }
        try {
            noticeRecipient = Optional.of(new MailAddress(value));
        } catch (AddressException e) {
            throw bad("init parameter " + NOTICE + " '" + value + "' is not postmaster, none or a mail address");
        }
    }

    /** "ignore" would let James deliver the mail unscanned when clamd is down. */
    private void checkOnMailetException() throws MessagingException {
        String value = getInitParameter(ON_MAILET_EXCEPTION);
        if (value == null) {
            LOGGER.warn("{}: no {} processor: when clamd is unavailable, mail goes to the error processor instead of"
                + " waiting for clamd (name a processor that re-queues it, such as antivirus-unavailable)",
                getMailetName(), ON_MAILET_EXCEPTION);
        } else if (value.trim().equalsIgnoreCase("ignore")) {
            throw bad(ON_MAILET_EXCEPTION + "=ignore would deliver mail unscanned when clamd is unavailable; name a"
                + " processor that re-queues it (antivirus-unavailable)");
        }
    }

    private MailRepository quarantine() throws MessagingException {
        String value = text(QUARANTINE, DEFAULT_QUARANTINE);
        try {
            quarantineUrl = MailRepositoryUrl.from(value);
        } catch (RuntimeException e) {
            throw bad("init parameter " + QUARANTINE + " '" + value + "' is not a mail repository URL such as "
                + DEFAULT_QUARANTINE);
        }
        try {
            return repositories.select(quarantineUrl);
        } catch (Exception e) {
            throw new MessagingException(getMailetName() + ": init parameter " + QUARANTINE + " '" + value
                + "': no such mail repository (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String getMailetInfo() {
        return "Anti-virus: scans mail with ClamAV's clamd; deletes, bounces or archives infected mail";
    }

    @Override
    public void destroy() {
        if (scanner != null) {
            scanner.close();
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message;
        try {
            message = mail.getMessage();
        } catch (MessagingException | RuntimeException e) {
            // nothing can deliver a mail without a message: the error processor keeps it, a retry would loop
            LOGGER.error("Anti-virus, mail {}: the message cannot be read, sent to the error processor", mail.getName(),
                e);
            mail.setErrorMessage(cut(getMailetName() + ": the message cannot be read: " + e.getMessage()));
            mail.setState(Mail.ERROR);
            return;
        }
        String engine;
        ScanReport report;
        try {
            engine = scanner.engine();
            report = messageScanner.scan(message, mail.getName());
        } catch (ScannerUnavailableException e) {
            throw new MessagingException(getMailetName() + ": mail " + mail.getName() + " not scanned, held for a"
                + " later attempt: " + e.getMessage(), e);
        }
        if (report.infection().isPresent()) {
            infected(mail, report.infection().get(), engine);
        } else if (!report.complete()) {
            unscannable(mail, report, engine);
        } else {
            recordResult(mail, "clean (" + engine + ")");
            LOGGER.debug("Anti-virus, mail {}: clean ({} streams scanned by {})", mail.getName(), report.scans(),
                engine);
        }
    }

    private void infected(Mail mail, ScanReport.Finding finding, String engine) throws MessagingException {
        List<String> signatures = finding.signatures();
        String names = String.join(", ", signatures.subList(0, Math.min(3, signatures.size())));
        recordResult(mail, "infected: " + names + " (" + engine + ")");
        String reason = "virus " + names + " found in " + finding.where();
        LOGGER.info("Anti-virus, mail {} from {} to {}: {} by {}; action {}", mail.getName(),
            mail.getMaybeSender().asPrettyString(), mail.getRecipients(), reason, engine,
            action.name().toLowerCase(Locale.ROOT));
        if (isOurNotice(mail)) {
            // a notice or bounce of ours quoting a virus name would be detected again: no notice about a notice
            LOGGER.info("Anti-virus, mail {}: an anti-virus notice detected as infected is dropped without a new"
                + " notice", mail.getName());
            mail.setState(Mail.GHOST);
            return;
        }
        String subjectTail = ": " + finding.signature();
        switch (action) {
            case DELETE -> {
                notifyAdministrator(mail, new VirusNotices.Event("Virus found, mail deleted" + subjectTail,
                    "deleted a mail instead of delivering it", reason, engine));
                mail.setState(Mail.GHOST);
            }
            case BOUNCE -> bounce(mail, reason, engine, subjectTail);
            case ARCHIVE -> {
                archive(mail, "virus " + names + " in " + finding.where() + " (" + engine + ")");
                notifyAdministrator(mail, new VirusNotices.Event("Virus found, mail archived" + subjectTail,
                    "archived a mail in " + quarantineUrl.asString() + " instead of delivering it" + webAdminHint(),
                    reason, engine));
            }
            default -> throw new IllegalStateException("action " + action);
        }
    }

    private void bounce(Mail mail, String reason, String engine, String subjectTail) throws MessagingException {
        if (mail.getMaybeSender().isNullSender()) {
            LOGGER.info("Anti-virus, mail {}: null sender, no bounce; the mail is deleted", mail.getName());
            notifyAdministrator(mail, new VirusNotices.Event("Virus found, mail deleted" + subjectTail,
                "deleted a mail instead of delivering it (action bounce, but the mail has a null sender)", reason,
                engine));
        } else {
            MailAddress postmaster = getMailetContext().getPostmaster();
            MimeMessage bounce = VirusNotices.bounce(mail, postmaster, new VirusNotices.Event(
                "Undelivered mail: virus found" + subjectTail, "bounced", reason, engine));
            getMailetContext().sendMail(null, List.of(mail.getMaybeSender().get()), bounce);
        }
        mail.setState(Mail.GHOST);
    }

    private void unscannable(Mail mail, ScanReport report, String engine) throws MessagingException {
        String reasons = String.join("; ", report.unscannable());
        String reason = "not completely scanned: " + reasons;
        switch (unscannable) {
            case DELIVER -> {
                recordResult(mail, "unscanned: " + cut(reasons, MAX_HEADER_REASON_LENGTH) + " (" + engine + ")");
                LOGGER.warn("Anti-virus, mail {} from {} to {}: {}; delivered (unscannable=deliver)", mail.getName(),
                    mail.getMaybeSender().asPrettyString(), mail.getRecipients(), reason);
            }
            case HOLD -> throw new MessagingException(getMailetName() + ": mail " + mail.getName() + " " + reason
                + "; held for a later attempt (unscannable=hold)");
            case ARCHIVE -> {
                recordResult(mail, "unscanned: " + cut(reasons, MAX_HEADER_REASON_LENGTH) + " (" + engine + ")");
                LOGGER.warn("Anti-virus, mail {} from {} to {}: {}; archived in {}", mail.getName(),
                    mail.getMaybeSender().asPrettyString(), mail.getRecipients(), reason, quarantineUrl.asString());
                archive(mail, reason);
                notifyAdministrator(mail, new VirusNotices.Event("Mail not scanned, archived",
                    "archived a mail it could not scan completely in " + quarantineUrl.asString()
                        + " instead of delivering it" + webAdminHint(), reason, engine));
            }
            default -> throw new IllegalStateException("unscannable " + unscannable);
        }
    }

    private void archive(Mail mail, String reason) throws MessagingException {
        mail.setErrorMessage(cut(getMailetName() + ": " + reason));
        try {
            quarantine.store(mail);
        } catch (MessagingException | RuntimeException e) {
            // keep it in the spool rather than lose it
            throw new MessagingException(getMailetName() + ": cannot store mail " + mail.getName() + " in "
                + quarantineUrl.asString() + ", held for a later attempt: " + e.getMessage(), e);
        }
        LOGGER.info("Anti-virus, mail {}: stored in {}", mail.getName(), quarantineUrl.asString());
        mail.setState(Mail.GHOST);
    }

    /** Where an administrator finds the quarantined mail (and reprocesses it once checked). */
    private String webAdminHint() {
        try {
            return " (WebAdmin lists it: GET /mailRepositories/" + quarantineUrl.getPath().urlEncoded() + "/mails)";
        } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
            return "";
        }
    }

    private void notifyAdministrator(Mail mail, VirusNotices.Event event) throws MessagingException {
        MailAddress postmaster = getMailetContext().getPostmaster();
        Optional<MailAddress> to = noticeToPostmaster ? Optional.ofNullable(postmaster) : noticeRecipient;
        if (to.isEmpty()) {
            return;
        }
        MimeMessage notice = VirusNotices.notice(mail, postmaster == null ? to.get() : postmaster, to.get(), event);
        getMailetContext().sendMail(null, List.of(to.get()), notice);
    }

    private static boolean isOurNotice(Mail mail) {
        try {
            return mail.getMaybeSender().isNullSender()
                && mail.getMessage().getHeader(VirusNotices.NOTICE_HEADER) != null;
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Writes the result header, replacing any that came with the mail. A message whose header cannot be changed
     * (malformed beyond what JavaMail accepts) goes on without it: the scan itself is done.
     */
    private static void recordResult(Mail mail, String value) {
        try {
            MimeMessage message = mail.getMessage();
            message.removeHeader(HEADER);
            message.addHeader(HEADER, MimeUtility.fold(HEADER.length() + 2, value));
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("Anti-virus, mail {}: cannot write the header {}: {}", mail.getName(), HEADER, e.toString());
        }
    }

    private static String cut(String text) {
        return cut(text, MAX_ERROR_MESSAGE_LENGTH);
    }

    private static String cut(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length - 3) + "...";
    }
}
