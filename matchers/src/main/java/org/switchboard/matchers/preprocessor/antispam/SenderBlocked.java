package org.switchboard.matchers.preprocessor.antispam;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.ReloadingFile;

/**
 * The anti-spam module's header check (spec, MTA Preprocessor Unit): matches (all recipients) a mail whose
 * {@code From:}, {@code Sender:}, {@code Reply-To:}, {@code Resent-From:} or {@code Return-Path:} names a blocked
 * address, domain or pattern. {@code Return-Path} stands for the envelope sender too (the header is only written at
 * delivery). The condition is a comma-separated list of block list files ({@code file://conf/antispam-blocklist.txt}
 * in the configuration directory, or {@code file:///etc/...}: {@link ConfigFiles}) and inline entries
 * ({@code *@spam.example}); the entry syntax is {@link BlockList}'s. Files are UTF-8, re-read when they change
 * ({@link ReloadingFile}: a broken edit keeps the previous list in force).
 *
 * <p>What happens to a matched mail is the guarded mailet's business (the spec's SpamArchive, SpamDelete,
 * SpamBounce: James' {@code ToRepository}, {@code Null}, {@code Bounce}). This matcher logs each blocked mail and
 * records why in the mail's error message and the attribute {@value #ATTRIBUTE_NAME}, so an archived copy or a bounce
 * says it. A header that does not parse is read tolerantly ({@link HeaderAddresses}); a message whose header cannot
 * be read at all is not matched (logged) and goes on.
 */
public class SenderBlocked extends GenericMatcher {
    public static final String ATTRIBUTE_NAME = "org.switchboard.antispam.blocked";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    private static final String FILE_PREFIX = "file:";
    private static final String SYNTAX = "a comma-separated list of file://path block list files and inline entries "
        + "(address, domain, @domain, glob such as *@spam.example, /regular expression/, optionally 'Header: ' first)";
    private static final Logger LOGGER = LoggerFactory.getLogger(SenderBlocked.class);

    private final ConfigFiles configFiles;
    private final LongSupplier nanoClock;
    private BlockList inline;
    private List<ReloadingFile<BlockList>> files;

    public SenderBlocked() {
        this(ConfigFiles.ofServer(), System::nanoTime);
    }

    /** {@code nanoClock}: for the reload checks. */
    SenderBlocked(ConfigFiles configFiles, LongSupplier nanoClock) {
        this.configFiles = configFiles;
        this.nanoClock = nanoClock;
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().strip();
        if (condition.isEmpty()) {
            throw new MessagingException(getMatcherName() + ": empty condition; give " + SYNTAX
                + ", e.g. SenderBlocked=file://conf/antispam-blocklist.txt");
        }
        List<BlockList.Entry> entries = new ArrayList<>();
        List<ReloadingFile<BlockList>> loaded = new ArrayList<>();
        for (String rawItem : condition.split(",", -1)) {
            String item = rawItem.strip();
            if (item.isEmpty()) {
                throw error(condition, "an empty item (two commas, or a comma at an end)");
            }
            if (item.regionMatches(true, 0, FILE_PREFIX, 0, FILE_PREFIX.length())) {
                loaded.add(loadFile(condition, item));
            } else {
                try {
                    entries.add(BlockList.parseEntry(item, "inline entry"));
                } catch (BlockList.SyntaxException e) {
                    throw error(condition, e.getMessage());
                }
            }
        }
        inline = new BlockList(entries);
        files = List.copyOf(loaded);
        LOGGER.info("{}: {} inline entries, {} file(s)", getMatcherName(), inline.size(), files.size());
    }

    private ReloadingFile<BlockList> loadFile(String condition, String item) throws MessagingException {
        try {
            return ReloadingFile.load("Block list", configFiles.resolve(item), file -> read(file, item),
                list -> list.size() + " entries", nanoClock, ReloadingFile.CHECK_INTERVAL);
        } catch (IllegalArgumentException e) {
            throw error(condition, e.getMessage());
        }
    }

    /** {@code name}: how the entries say where they were written (the file as the condition names it). */
    private static BlockList read(Path file, String name) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(name + " is not UTF-8 text", e);
        }
        try {
            return BlockList.parseLines(lines, name);
        } catch (BlockList.SyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private MessagingException error(String condition, String what) {
        return new MessagingException(getMatcherName() + ": invalid condition '" + condition + "': " + what);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        List<BlockList> lists = lists();
        if (lists.isEmpty()) {
            return List.of();
        }
        Optional<BlockList.Hit> hit;
        try {
            hit = find(mail, lists);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("{}: cannot read the sender headers of mail {}, not checked against the block list: {}",
                getMatcherName(), mail.getName(), e.toString());
            return List.of();
        }
        if (hit.isEmpty()) {
            return List.of();
        }
        BlockList.Hit blocked = hit.get();
        LOGGER.info("{}: mail {} from {} to {} blocked: {} ({})", getMatcherName(), mail.getName(),
            mail.getMaybeSender().asString(), mail.getRecipients(), blocked.reason(), blocked.entry().where());
        mail.setErrorMessage("Blocked by the anti-spam filter: " + blocked.reason());
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(blocked.reason() + " (" + blocked.entry().where() + ")")));
        return List.copyOf(mail.getRecipients());
    }

    /** The lists in force now (files re-read if changed); empty lists are left out. */
    private List<BlockList> lists() {
        List<BlockList> lists = new ArrayList<>(files.size() + 1);
        if (inline.size() > 0) {
            lists.add(inline);
        }
        for (ReloadingFile<BlockList> file : files) {
            BlockList list = file.current();
            if (list.size() > 0) {
                lists.add(list);
            }
        }
        return lists;
    }

    private static Optional<BlockList.Hit> find(Mail mail, List<BlockList> lists) throws MessagingException {
        MimeMessage message = mail.getMessage();
        for (String header : BlockList.HEADERS) {
            String[] values = message.getHeader(header);
            Set<String> addresses = HeaderAddresses.of(values == null ? List.of() : List.of(values));
            if (header.equals("Return-Path")) {
                mail.getMaybeSender().asOptional()
                    .map(sender -> sender.asString().toLowerCase(Locale.ROOT))
                    .ifPresent(addresses::add);
            }
            for (String address : addresses) {
                for (BlockList list : lists) {
                    Optional<BlockList.Hit> hit = list.find(header, address);
                    if (hit.isPresent()) {
                        return hit;
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String getMatcherInfo() {
        return "SenderBlocked: From/Sender/Reply-To/Resent-From/Return-Path on a block list";
    }
}
