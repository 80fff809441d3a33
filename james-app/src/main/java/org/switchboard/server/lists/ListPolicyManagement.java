package org.switchboard.server.lists;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.BounceRecord;
import org.switchboard.mailets.lists.BounceRecords;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.HeldPosts;
import org.switchboard.mailets.lists.ListDirectory;

/** The bounce scores of list members (read and reset as the directory's administrator) and the held posts. */
@Singleton
public class ListPolicyManagement implements ListPolicyManagementMBean, Startable {
    public static final String OBJECT_NAME = "org.switchboard:type=component,name=list-policies";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListPolicyManagement.class);

    private final ListDirectory lists;
    private final BounceRecords records;
    private final HeldPosts held;

    @Inject
    public ListPolicyManagement(ListDirectory lists, BounceRecords records, HeldPosts held) {
        this.lists = lists;
        this.records = records;
        this.held = held;
    }

    @Override
    public List<String> heldPosts(String list) throws Exception {
        String address = list(list).address().asString();
        return held.describe().stream().filter(line -> line.contains("to=[" + address + "]")).toList();
    }

    @Override
    public List<String> bounceScores(String list) throws Exception {
        DistributionList found = list(list);
        List<String> lines = new ArrayList<>();
        try {
            for (BounceRecord record : records.state(found).records().values()) {
                lines.add(record.member().asString() + " score=" + record.score() + " last="
                    + record.lastBounce().map(LocalDate::toString).orElse("-")
                    + record.disabled().map(Instant::toString).map(since -> " disabled-since=" + since
                        + " reminders=" + record.notices()).orElse(" enabled"));
            }
        } catch (DirectoryUnavailableException e) {
            throw new Exception(e.getMessage());
        }
        lines.sort(String::compareTo);
        return lines;
    }

    @Override
    public void resetBounces(String list, String member) throws Exception {
        DistributionList found = list(list);
        MailAddress address = address(member);
        try {
            if (!records.remove(found, address)) {
                throw new IllegalArgumentException(address.asString() + " has no bounces on "
                    + found.address().asString());
            }
        } catch (DirectoryUnavailableException e) {
            throw new Exception(e.getMessage());
        }
        LOGGER.info("Lists: bounces of {} on {} reset; delivery enabled", address.asString(),
            found.address().asString());
    }

    private DistributionList list(String list) throws Exception {
        MailAddress address = address(list);
        try {
            return lists.find(address).orElseThrow(() -> new IllegalArgumentException("No list " + address.asString()));
        } catch (DirectoryUnavailableException e) {
            throw new Exception(e.getMessage());
        }
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text == null ? "" : text.trim());
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not a mail address");
        }
    }
}
