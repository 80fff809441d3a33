package org.switchboard.server.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.cli.probe.impl.JmxConnection;
import org.switchboard.server.smtpc.SmtpcManagement;
import org.switchboard.server.smtpc.SmtpcManagementMBean;

/**
 * SMTPC's {@code james-cli} commands, over the JMX view {@link SmtpcManagementMBean}: {@code SmtpcChannels} (each
 * domain channel's state), {@code SmtpcFlush [domain]} (held and deferred mail due now; every domain without one),
 * {@code SmtpcWhy <mail name>} (why a mail is still queued). Same JMX options as James' commands.
 */
final class SmtpcCommands {
    private static final Set<String> COMMANDS = Set.of("smtpcchannels", "smtpcflush", "smtpcwhy");
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-h", "-p", "-username", "-password");

    private SmtpcCommands() {
    }

    static boolean handles(List<String> arguments) {
        return !operands(arguments).isEmpty() && COMMANDS.contains(operands(arguments).get(0).toLowerCase(Locale.ROOT));
    }

    /** Runs the command; returns the process exit status. */
    static int run(List<String> arguments) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < arguments.size(); i++) {
            if (OPTIONS_WITH_VALUE.contains(arguments.get(i))) {
                options.put(arguments.get(i), arguments.get(i + 1));
                i++;
            }
        }
        List<String> operands = operands(arguments);
        String command = operands.get(0).toLowerCase(Locale.ROOT);
        if (command.equals("smtpcwhy") && operands.size() != 2) {
            System.err.println("Usage: SmtpcWhy <mail name>");
            return 1;
        }
        try {
            Optional<JmxConnection.AuthCredential> credential = Optional.ofNullable(options.get("-username"))
                .map(user -> new JmxConnection.AuthCredential(user, options.getOrDefault("-password", "")));
            try (JmxConnection connection = new JmxConnection(options.get("-h"), Integer.parseInt(options.get("-p")),
                credential)) {
                SmtpcManagementMBean smtpc = connection.retrieveBean(SmtpcManagementMBean.class, SmtpcManagement.OBJECT_NAME);
                switch (command) {
                    case "smtpcchannels" -> smtpc.getChannels().forEach(System.out::println);
                    case "smtpcflush" -> System.out.println((operands.size() > 1 ? smtpc.flush(operands.get(1)) : smtpc.flushAll())
                        + " mails due now");
                    default -> System.out.println(smtpc.whyQueued(operands.get(1)));
                }
            }
            return 0;
        } catch (Exception e) {
            System.err.println("Error while executing command " + operands.get(0) + ": " + e.getMessage());
            return 1;
        }
    }

    private static List<String> operands(List<String> arguments) {
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            if (OPTIONS_WITH_VALUE.contains(arguments.get(i))) {
                i++;
            } else if (!arguments.get(i).startsWith("-")) {
                operands.add(arguments.get(i));
            }
        }
        return operands;
    }
}
