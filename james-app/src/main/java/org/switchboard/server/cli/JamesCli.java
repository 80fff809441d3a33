package org.switchboard.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.james.cli.ServerCmd;
import org.switchboard.server.bsmtp.BsmtpCommands;
import org.switchboard.server.jmx.JmxEndpoint;
import org.switchboard.server.lists.ListPolicyCommands;
import org.switchboard.server.lists.ListCommands;

/**
 * {@code bin/james-cli}: James' command line client, pointed at this installation's JMX endpoint. Host, port and the
 * credentials that the server generated at first start are read from {@code conf/}, so that administrators type only
 * the command, and the password never appears in the process list. Explicit {@code -h/-p/-username/-password} win.
 */
public final class JamesCli {
    /** Switchboard's own commands, beside James' ones. */
    private static final List<MBeanCommands<?>> SWITCHBOARD_COMMANDS = List.of(DirectoryCommands.COMMANDS,
        ListCommands.COMMANDS, BsmtpCommands.COMMANDS, SmtpcCommands.COMMANDS, ListPolicyCommands.COMMANDS);

    private JamesCli() {
    }

    public static void main(String[] args) throws IOException {
        Path conf = Path.of(System.getProperty("switchboard.conf", "conf"));
        List<String> arguments = new ArrayList<>();
        List<String> given = Arrays.asList(args);
        JmxEndpoint jmx = JmxEndpoint.read(conf);
        if (!given.contains("-h")) {
            arguments.addAll(List.of("-h", jmx.address()));
        }
        if (!given.contains("-p")) {
            arguments.addAll(List.of("-p", jmx.port()));
        }
        Path passwordFile = conf.resolve("jmxremote.password");
        if (!given.contains("-username") && Files.isReadable(passwordFile)) {
            String[] credential = Files.readString(passwordFile, StandardCharsets.UTF_8).trim().split("\\s+", 2);
            if (credential.length == 2) {
                arguments.addAll(List.of("-username", credential[0], "-password", credential[1]));
            }
        }
        arguments.addAll(given);
        Optional<MBeanCommands<?>> ours = MBeanCommands.handling(given, SWITCHBOARD_COMMANDS);
        if (ours.isPresent()) {
            System.exit(ours.get().run(arguments));
        }
        ServerCmd.main(arguments.toArray(String[]::new));
    }
}
