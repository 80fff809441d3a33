package org.switchboard.server.imap;

import java.util.Map;

import javax.inject.Inject;

import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;

import com.google.common.collect.ImmutableList;

/**
 * James' default IMAP commands, with SELECT and EXAMINE answering EXISTS from the session's view
 * ({@link SelectionFromSessionView}). Named by {@code <imapPackages>} in {@code conf/imapserver.xml}.
 */
public class SwitchboardImapPackage extends ImapPackage.Impl {
    private static final Map<ClassName, ClassName> REPLACED = Map.of(
        new ClassName(SelectProcessor.class.getName()), new ClassName(SessionViewSelectProcessor.class.getName()),
        new ClassName(ExamineProcessor.class.getName()), new ClassName(SessionViewExamineProcessor.class.getName()));

    @Inject
    public SwitchboardImapPackage() {
        super(DEFAULT.processors().stream()
                .map(processor -> REPLACED.getOrDefault(processor, processor))
                .collect(ImmutableList.toImmutableList()),
            ImmutableList.copyOf(DEFAULT.decoders()),
            ImmutableList.copyOf(DEFAULT.encoders()));
    }
}
