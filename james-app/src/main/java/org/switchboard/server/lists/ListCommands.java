package org.switchboard.server.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.cli.probe.impl.JmxConnection;

/**
 * The list manager's {@code james-cli} commands, over the same JMX endpoint and options ({@code -h -p -username
 * -password}) as James' own:
 * <pre>
 * CreateList &lt;list&gt; &lt;OPEN|MEMBERS|MODERATED|OWNERS&gt; [description]
 * DeleteList &lt;list&gt;
 * ListLists [text]
 * DescribeList &lt;list&gt;
 * ModifyList &lt;list&gt; &lt;setting&gt; &lt;value&gt;
 * AddListMember &lt;list&gt; &lt;address&gt; [IMMEDIATE|DIGEST]      (also changes a member's mode)
 * RemoveListMember &lt;list&gt; &lt;address&gt;
 * SetListPassword &lt;list&gt; &lt;password&gt;
 * </pre>
 */
public final class ListCommands {
    private static final Map<String, Arity> COMMANDS = Map.of(
        "createlist", new Arity(2, 3, "CreateList <list> <OPEN|MEMBERS|MODERATED|OWNERS> [description]"),
        "deletelist", new Arity(1, 1, "DeleteList <list>"),
        "listlists", new Arity(0, 1, "ListLists [text]"),
        "describelist", new Arity(1, 1, "DescribeList <list>"),
        "modifylist", new Arity(3, 3, "ModifyList <list> <setting> <value>"),
        "addlistmember", new Arity(2, 3, "AddListMember <list> <address> [IMMEDIATE|DIGEST]"),
        "removelistmember", new Arity(2, 2, "RemoveListMember <list> <address>"),
        "setlistpassword", new Arity(2, 2, "SetListPassword <list> <password>"));
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-h", "-p", "-username", "-password");

    private record Arity(int min, int max, String usage) {
    }

    private ListCommands() {
    }

    public static boolean handles(List<String> arguments) {
        return !words(arguments).isEmpty() && COMMANDS.containsKey(words(arguments).get(0).toLowerCase(Locale.ROOT));
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
        List<String> words = words(arguments);
        String spelling = words.get(0);
        String command = spelling.toLowerCase(Locale.ROOT);
        List<String> values = words.subList(1, words.size());
        Arity arity = COMMANDS.get(command);
        if (values.size() < arity.min() || values.size() > arity.max()) {
            System.err.println("Usage: " + arity.usage());
            return 1;
        }
        long begin = System.nanoTime();
        try {
            Optional<JmxConnection.AuthCredential> credential = Optional.ofNullable(options.get("-username"))
                .map(user -> new JmxConnection.AuthCredential(user, options.getOrDefault("-password", "")));
            try (JmxConnection connection = new JmxConnection(options.get("-h"), Integer.parseInt(options.get("-p")),
                credential)) {
                ListManagementMBean lists = connection.retrieveBean(ListManagementMBean.class,
                    ListManagement.OBJECT_NAME);
                execute(lists, command, values);
            }
            System.out.println(spelling + " command executed successfully in " + (System.nanoTime() - begin) / 1_000_000
                + " ms.");
            return 0;
        } catch (Exception e) {
            System.err.println("Error while executing command " + spelling + ": " + e.getMessage());
            return 1;
        }
    }

    private static void execute(ListManagementMBean lists, String command, List<String> values) throws Exception {
        switch (command) {
            case "createlist" -> lists.createList(values.get(0), values.get(1), values.size() > 2 ? values.get(2) : "");
            case "deletelist" -> lists.deleteList(values.get(0));
            case "listlists" -> lists.searchLists(values.isEmpty() ? "" : values.get(0)).forEach(System.out::println);
            case "describelist" -> System.out.print(lists.describeList(values.get(0)));
            case "modifylist" -> lists.modifyList(values.get(0), values.get(1), values.get(2));
            case "addlistmember" -> lists.setMember(values.get(0), values.get(1),
                values.size() > 2 ? values.get(2) : "IMMEDIATE");
            case "removelistmember" -> lists.removeMember(values.get(0), values.get(1));
            case "setlistpassword" -> lists.setListPassword(values.get(0), values.get(1));
            default -> throw new IllegalStateException("unhandled command " + command);
        }
    }

    /** The command and its values: the arguments without the connection options. */
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
