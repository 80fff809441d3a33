package org.switchboard.server.cli;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.smtpc.SmtpcManagement;
import org.switchboard.server.smtpc.SmtpcManagementMBean;

/**
 * SMTPC's {@code james-cli} commands, over the JMX view {@link SmtpcManagementMBean}: {@code SmtpcChannels} (each
 * domain channel's state), {@code SmtpcFlush [domain]} (held and deferred mail due now; every domain without one),
 * {@code SmtpcWhy <mail name>} (why a mail is still queued).
 */
final class SmtpcCommands {
    static final MBeanCommands<SmtpcManagementMBean> COMMANDS = new MBeanCommands<>(
        SmtpcManagementMBean.class, SmtpcManagement.OBJECT_NAME, List.of(
            command("SmtpcChannels", 0, 0, "SmtpcChannels", (smtpc, operands) ->
                smtpc.getChannels().forEach(System.out::println)),
            command("SmtpcFlush", 0, 1, "SmtpcFlush [domain]", (smtpc, operands) ->
                System.out.println((operands.isEmpty() ? smtpc.flushAll() : smtpc.flush(operands.get(0)))
                    + " mails due now")),
            command("SmtpcWhy", 1, 1, "SmtpcWhy <mail name>", (smtpc, operands) ->
                System.out.println(smtpc.whyQueued(operands.get(0))))));

    private SmtpcCommands() {
    }
}
