package org.switchboard.server.imap;

import java.util.Map;

import javax.inject.Inject;

import org.apache.james.imap.processor.AuthenticateProcessor;
import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.imap.processor.LoginProcessor;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.imap.processor.XListProcessor;
import org.apache.james.imap.processor.base.ImapResponseMessageProcessor;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;

import com.google.common.collect.ImmutableList;

/**
 * James' default IMAP commands, with SELECT and EXAMINE answering EXISTS from the session's view
 * ({@link SelectionFromSessionView}), IDLE's concurrent writers taking turns ({@link SerializedIdleProcessor}) and the
 * BYE before a server-side close flushed ({@link FlushedStatusResponseProcessor}, {@link ByeFlushingLoginProcessor},
 * {@link ByeFlushingAuthenticateProcessor}) and XLIST given mailbox types ({@link TypedXListProcessor}). Named by {@code <imapPackages>} in {@code conf/imapserver.xml}.
 */
public class SwitchboardImapPackage extends ImapPackage.Impl {
    private static final Map<ClassName, ClassName> REPLACED = Map.of(
        new ClassName(SelectProcessor.class.getName()), new ClassName(SessionViewSelectProcessor.class.getName()),
        new ClassName(ExamineProcessor.class.getName()), new ClassName(SessionViewExamineProcessor.class.getName()),
        new ClassName(IdleProcessor.class.getName()), new ClassName(SerializedIdleProcessor.class.getName()),
        new ClassName(ImapResponseMessageProcessor.class.getName()),
        new ClassName(FlushedStatusResponseProcessor.class.getName()),
        new ClassName(LoginProcessor.class.getName()), new ClassName(ByeFlushingLoginProcessor.class.getName()),
        new ClassName(AuthenticateProcessor.class.getName()),
        new ClassName(ByeFlushingAuthenticateProcessor.class.getName()),
        new ClassName(XListProcessor.class.getName()), new ClassName(TypedXListProcessor.class.getName()));

    @Inject
    public SwitchboardImapPackage() {
        super(DEFAULT.processors().stream()
                .map(processor -> REPLACED.getOrDefault(processor, processor))
                .collect(ImmutableList.toImmutableList()),
            ImmutableList.copyOf(DEFAULT.decoders()),
            ImmutableList.copyOf(DEFAULT.encoders()));
    }
}
