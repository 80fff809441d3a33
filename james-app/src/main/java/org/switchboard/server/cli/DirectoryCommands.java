package org.switchboard.server.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.cli.probe.impl.JmxConnection;
import org.switchboard.server.directory.DirectoryRoutingManagement;
import org.switchboard.server.directory.DirectoryRoutingManagementMBean;

/**
 * Switchboard's own {@code james-cli} commands, beside James' ones: {@code BuildAliasTable} (re-reads every alias of
 * the directory now) and {@code DirectoryStatistics} (lookups, cache hits, aliases). They use the same JMX endpoint
 * and options ({@code -h -p -username -password}) as James' commands.
 */
final class DirectoryCommands {
    private static final Set<String> COMMANDS = Set.of("buildaliastable", "directorystatistics");
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-h", "-p", "-username", "-password");

    private DirectoryCommands() {
    }

    static boolean handles(List<String> arguments) {
        return command(arguments) != null;
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
        String command = command(arguments);
        long begin = System.nanoTime();
        try {
            Optional<JmxConnection.AuthCredential> credential = Optional.ofNullable(options.get("-username"))
                .map(user -> new JmxConnection.AuthCredential(user, options.getOrDefault("-password", "")));
            try (JmxConnection connection = new JmxConnection(options.get("-h"), Integer.parseInt(options.get("-p")),
                credential)) {
                DirectoryRoutingManagementMBean directory = connection.retrieveBean(
                    DirectoryRoutingManagementMBean.class, DirectoryRoutingManagement.OBJECT_NAME);
                if (command.equals("buildaliastable")) {
                    System.out.println("Alias table built: " + directory.buildAliasTable() + " aliases");
                } else {
                    System.out.println(directory.getStatistics());
                }
            }
            System.out.println(spelling(arguments, command) + " command executed successfully in "
                + (System.nanoTime() - begin) / 1_000_000 + " ms.");
            return 0;
        } catch (Exception e) {
            System.err.println("Error while executing command " + spelling(arguments, command) + ": " + e.getMessage());
            return 1;
        }
    }

    /** The command as the administrator typed it. */
    private static String spelling(List<String> arguments, String command) {
        return arguments.stream().filter(command::equalsIgnoreCase).findFirst().orElse(command);
    }

    private static String command(List<String> arguments) {
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (OPTIONS_WITH_VALUE.contains(argument)) {
                i++;
            } else if (!argument.startsWith("-")) {
                String lower = argument.toLowerCase(Locale.ROOT);
                return COMMANDS.contains(lower) ? lower : null;
            }
        }
        return null;
    }
}
