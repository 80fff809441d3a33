package org.switchboard.server.mailbox.search;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.search.AbstractMessageSearchIndexTest;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.switchboard.mailbox.store.RocksDbMessageId;

/**
 * James' search-index contract run against the index as the server wires it, on the RocksDB store. The tests
 * disabled here are exactly those James 3.8.1 disables for its Lucene index (LuceneMessageSearchIndexTest), with
 * James' reasons: the index answers with James' Lucene query translation, which does not do these. Two more
 * (attachments) are disabled because the RocksDB store does not extract attachments on delivery.
 */
@ExtendWith(RocksDbIndexedMessageSearchContractTest.AttachmentTestsDisabled.class)
class RocksDbIndexedMessageSearchContractTest extends AbstractMessageSearchIndexTest {
    private Path directory;
    private IndexedRocksDbSystem system;

    @Override
    protected void awaitMessageCount(List<MailboxId> mailboxIds, SearchQuery query, long messageCount) {
        // a search waits for the index to catch up itself: nothing to wait for here
    }

    @Override
    protected void initializeMailboxManager() throws Exception {
        directory = Files.createTempDirectory("indexed-search");
        system = new IndexedRocksDbSystem(directory.resolve("mailbox"), directory.resolve("search-index"), IndexSettings.DEFAULT);
        storeMailboxManager = system.mailboxManager;
        messageIdManager = system.messageIdManager;
        messageSearchIndex = system.index;
        eventBus = system.eventBus;
        messageIdFactory = new RocksDbMessageId.Factory();
    }

    @AfterEach
    void closeSystem() throws Exception {
        system.close();
        FileUtils.deleteDirectory(directory.toFile());
    }

    @Override
    protected MessageId initNewBasedMessageId() {
        return messageIdFactory.generate();
    }

    @Override
    protected MessageId initOtherBasedMessageId() {
        return messageIdFactory.generate();
    }

    private static final String JAMES_1799 = "disabled by James for its Lucene index (JAMES-1799)";

    @Disabled(JAMES_1799) @Override public void uidShouldreturnEveryThing() { }
    @Disabled(JAMES_1799) @Override public void sortOnCcShouldWork() { }
    @Disabled(JAMES_1799) @Override public void sortOnFromShouldWork() { }
    @Disabled(JAMES_1799) @Override public void orShouldReturnResultsMatchinganyRequests() { }
    @Disabled(JAMES_1799) @Override public void internalDateBeforeShouldReturnMessagesBeforeAGivenDate() { }
    @Disabled(JAMES_1799) @Override public void internalDateAfterShouldReturnMessagesAfterAGivenDate() { }
    @Disabled(JAMES_1799) @Override public void saveDateBeforeShouldReturnMessagesBeforeAGivenDate() { }
    @Disabled(JAMES_1799) @Override public void saveDateAfterShouldReturnMessagesAfterAGivenDate() { }
    @Disabled(JAMES_1799) @Override public void youShouldBeAbleToSpecifySeveralCriterionOnASingleQuery() { }
    @Disabled(JAMES_1799) @Override public void modSeqLessThanShouldReturnUidsOfMessageHavingAGreaterModSeq() { }
    @Disabled(JAMES_1799) @Override public void andShouldReturnResultsMatchingBothRequests() { }
    @Disabled(JAMES_1799) @Override public void addressShouldReturnUidHavingRightExpeditorWhenFromIsSpecified() { }
    @Disabled(JAMES_1799) @Override public void bodyContainsShouldReturnUidOfMessageContainingTheApproximativeText() { }
    @Disabled(JAMES_1799) @Override public void mailsContainsShouldIncludeMailHavingAttachmentsMatchingTheRequest() { }
    @Disabled(JAMES_1799) @Override public void modSeqGreaterThanShouldReturnUidsOfMessageHavingAGreaterModSeq() { }
    @Disabled(JAMES_1799) @Override public void modSeqEqualsShouldReturnUidsOfMessageHavingAGivenModSeq() { }

    @Disabled("disabled by James for its Lucene index: domain part search is not supported by Lucene")
    @Test
    @Override
    public void textShouldMatchEmailAddressDomainPart() { }

    @Disabled("disabled by James for its Lucene index (MAILBOX-273: intended for ES)")
    @Override
    public void multimailboxSearchShouldReturnUidOfMessageMarkedAsSeenInTwoMailboxes() { }

    @Disabled("disabled by James for its Lucene index (MAILBOX-273: intended for ES)")
    @Override
    public void multimailboxSearchShouldReturnUidOfMessageMarkedAsSeenInAllMailboxes() { }

    private static final String ATTACHMENTS = "the RocksDB store does not extract attachments on delivery "
        + "(mailbox-store/README.md), so its messages carry no attachment metadata to index; a JMAP criterion, no IMAP SEARCH key uses it";

    /** James declares these two package-private, so they cannot be overridden with @Disabled: disabled by name. */
    static final class AttachmentTestsDisabled implements ExecutionCondition {
        private static final Set<String> NAMES = Set.of("hasAttachmentShouldOnlyReturnMessageThatHasAttachmentWhichAreNotInline",
            "hasNoAttachmenShouldOnlyReturnMessageThatHasNoAttachmentWhichAreNotInline");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().filter(method -> NAMES.contains(method.getName()))
                .map(method -> ConditionEvaluationResult.disabled(ATTACHMENTS))
                .orElse(ConditionEvaluationResult.enabled("a contract test"));
        }
    }

    @Disabled("disabled by James for its Lucene index (JAMES-2590: mail addresses with names)")
    @Override
    public void sortOnToShouldWork() { }
}
