package org.switchboard.server.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.cli.probe.impl.JmxConnection;

/**
 * A family of Switchboard's own {@code james-cli} commands, each acting on one MBean over the JMX endpoint and
 * options ({@code -h -p -username -password}) of James' commands. A family declares its commands; this class reads
 * the arguments, checks the number of operands, connects, runs the command and reports as James' commands do.
 *
 * @param <M> the MBean interface the commands act on
 */
public final class MBeanCommands<M> {
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-h", "-p", "-username", "-password");

    /** What a command does with the MBean and its operands (the words after the command's name). */
    @FunctionalInterface
    public interface Action<M> {
        void run(M mbean, List<String> operands) throws Exception;
    }

    /** A command: its name as documented (matched in any case), how many operands it takes, its usage line. */
    public record Command<M>(String name, int minOperands, int maxOperands, String usage, Action<M> action) {
    }

    private final Class<M> mbeanType;
    private final String objectName;
    private final Map<String, Command<M>> commands = new HashMap<>();

    public MBeanCommands(Class<M> mbeanType, String objectName, List<Command<M>> commands) {
        this.mbeanType = mbeanType;
        this.objectName = objectName;
        commands.forEach(command -> this.commands.put(command.name().toLowerCase(Locale.ROOT), command));
    }

    public static <M> Command<M> command(String name, int minOperands, int maxOperands, String usage,
                                         Action<M> action) {
        return new Command<>(name, minOperands, maxOperands, usage, action);
    }

    /** The first command of a family that handles these arguments, if any. */
    static Optional<MBeanCommands<?>> handling(List<String> arguments, List<MBeanCommands<?>> families) {
        return families.stream().filter(family -> family.handles(arguments)).findFirst();
    }

    boolean handles(List<String> arguments) {
        return commandOf(words(arguments)).isPresent();
    }

    /** Runs the command the arguments name; returns the process exit status. */
    int run(List<String> arguments) {
        List<String> words = words(arguments);
        Optional<Command<M>> found = commandOf(words);
        if (found.isEmpty()) {
            System.err.println("Unknown command: " + String.join(" ", words));
            return 1;
        }
        Command<M> command = found.get();
        List<String> operands = words.subList(1, words.size());
        if (operands.size() < command.minOperands() || operands.size() > command.maxOperands()) {
            System.err.println("Usage: " + command.usage());
            return 1;
        }
        long begin = System.nanoTime();
        try (JmxConnection connection = connect(options(arguments))) {
            command.action().run(connection.retrieveBean(mbeanType, objectName), operands);
            System.out.println(command.name() + " command executed successfully in "
                + (System.nanoTime() - begin) / 1_000_000 + " ms.");
            return 0;
        } catch (Exception e) {
            System.err.println("Error while executing command " + command.name() + ": " + e.getMessage());
            return 1;
        }
    }

    private static JmxConnection connect(Map<String, String> options) throws Exception {
        Optional<JmxConnection.AuthCredential> credential = Optional.ofNullable(options.get("-username"))
            .map(user -> new JmxConnection.AuthCredential(user, options.getOrDefault("-password", "")));
        return new JmxConnection(options.get("-h"), Integer.parseInt(options.get("-p")), credential);
    }

    private Optional<Command<M>> commandOf(List<String> words) {
        return words.stream().findFirst().map(word -> commands.get(word.toLowerCase(Locale.ROOT)));
    }

    private static Map<String, String> options(List<String> arguments) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < arguments.size(); i++) {
            if (OPTIONS_WITH_VALUE.contains(arguments.get(i))) {
                options.put(arguments.get(i), arguments.get(i + 1));
                i++;
            }
        }
        return options;
    }

    /** The command and its operands: the arguments without the connection options and their values. */
    private static List<String> words(List<String> arguments) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            if (OPTIONS_WITH_VALUE.contains(arguments.get(i))) {
                i++;
            } else {
                words.add(arguments.get(i));
            }
        }
        return words;
    }
}
