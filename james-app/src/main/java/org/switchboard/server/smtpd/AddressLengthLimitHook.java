package org.switchboard.server.smtpd;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;

/**
 * Refuses a recipient longer than RFC 5321's 254-octet limit for an address (a 256-octet path with its brackets) with
 * {@code 553 5.1.3}. Without it James fails on such an address when it looks the user up and answers with a temporary
 * 451, so the sending server would retry for days. It must come before the recipient checks:
 * <pre>{@code <handler class="org.switchboard.server.smtpd.AddressLengthLimitHook"/>}</pre>
 */
public class AddressLengthLimitHook implements RcptHook {
    static final int MAX_ADDRESS_LENGTH = 254;

    private static final HookResult TOO_LONG = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("553")
        .smtpDescription("5.1.3 Recipient address longer than " + MAX_ADDRESS_LENGTH + " octets")
        .build();

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        if (recipient.asString().length() > MAX_ADDRESS_LENGTH) {
            return TOO_LONG;
        }
        return HookResult.DECLINED;
    }
}
