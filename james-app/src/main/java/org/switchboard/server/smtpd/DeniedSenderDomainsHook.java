package org.switchboard.server.smtpd;

import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny list of sender domains: {@code MAIL FROM} whose envelope sender's domain is in {@code <domains>} (names or
 * {@code *.domain} wildcards) gets {@code 550 5.7.1}. The null sender ({@code <>}) is never refused here: bounces must
 * get through.
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.DeniedSenderDomainsHook">
 *     <domains>spam.example.com, *.bulk.example.org</domains>
 * </handler>
 * }</pre>
 */
public class DeniedSenderDomainsHook implements MailHook {
    static final String DOMAINS = "domains";
    private static final Logger LOGGER = LoggerFactory.getLogger(DeniedSenderDomainsHook.class);

    private NamePatterns domains;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        domains = ClientAddresses.names(HandlerParameters.of(getClass(), config, Set.of(DOMAINS)), DOMAINS, "spam.example.com");
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (sender.isNullSender()) {
            return HookResult.DECLINED;
        }
        String domain = sender.get().getDomain().asString();
        String pattern = domains.match(domain);
        if (pattern == null) {
            return HookResult.DECLINED;
        }
        LOGGER.info("DeniedSenderDomainsHook: refused sender {} from {}: domain {} matches denied {}",
            sender.asString(), ClientAddresses.text(session.getRemoteAddress().getAddress()), domain, pattern);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode("550")
            .smtpDescription("5.7.1 Sender domain " + domain + " is on this site's deny list")
            .build();
    }
}
