package org.switchboard.server.bsmtp;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.cli.probe.impl.JmxConnection;

/**
 * The BSMTP decoder's {@code james-cli} commands, beside James' ones: {@code BsmtpStatus}, {@code BsmtpPollNow},
 * {@code BsmtpStart}, {@code BsmtpStop}. Same JMX endpoint and options ({@code -h -p -username -password}).
 */
public final class BsmtpCommands {
    private static final Set<String> COMMANDS = Set.of("bsmtpstatus", "bsmtppollnow", "bsmtpstart", "bsmtpstop");
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-h", "-p", "-username", "-password");

    private BsmtpCommands() {
    }

    public static boolean handles(List<String> arguments) {
        return command(arguments) != null;
    }

    /** Runs the command; returns the process exit status. */
    public static int run(List<String> arguments) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < arguments.size(); i++) {
            if (OPTIONS_WITH_VALUE.contains(arguments.get(i))) {
                options.put(arguments.get(i), arguments.get(i + 1));
                i++;
            }
        }
        String command = command(arguments);
        try {
            Optional<JmxConnection.AuthCredential> credential = Optional.ofNullable(options.get("-username"))
                .map(user -> new JmxConnection.AuthCredential(user, options.getOrDefault("-password", "")));
            try (JmxConnection connection = new JmxConnection(options.get("-h"), Integer.parseInt(options.get("-p")),
                credential)) {
                BsmtpPickupManagementMBean decoder = connection.retrieveBean(BsmtpPickupManagementMBean.class,
                    BsmtpPickupManagement.OBJECT_NAME);
                switch (command) {
                    case "bsmtppollnow" -> System.out.println(decoder.pollNow());
                    case "bsmtpstart" -> {
                        decoder.start();
                        System.out.println(decoder.getStatus());
                    }
                    case "bsmtpstop" -> {
                        decoder.stop();
                        System.out.println(decoder.getStatus());
                    }
                    default -> System.out.println(decoder.getStatus());
                }
            }
            return 0;
        } catch (Exception e) {
            System.err.println("Error while executing command " + command + ": " + e.getMessage());
            return 1;
        }
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
