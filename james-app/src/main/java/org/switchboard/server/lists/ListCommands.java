package org.switchboard.server.lists;

import static org.switchboard.server.cli.MBeanCommands.command;

import java.util.List;

import org.switchboard.server.cli.MBeanCommands;

/**
 * The list manager's {@code james-cli} commands:
 * <pre>
 * CreateList &lt;list&gt; &lt;OPEN|MEMBERS|MODERATED|OWNERS&gt; [description]
 * DeleteList &lt;list&gt;
 * ListLists [text]
 * DescribeList &lt;list&gt;
 * ModifyList &lt;list&gt; &lt;setting&gt; &lt;value&gt;
 * AddListMember &lt;list&gt; &lt;address&gt; [IMMEDIATE|DIGEST]      (also changes a member's mode)
 * RemoveListMember &lt;list&gt; &lt;address&gt;
 * SetListPassword &lt;list&gt; &lt;password&gt;
 * SetListDeliveryMode &lt;list&gt; &lt;member&gt; &lt;IMMEDIATE|DIGEST&gt;
 * SendListDigest &lt;list&gt;
 * ListArchive &lt;list&gt; [date|thread|author]
 * </pre>
 */
public final class ListCommands {
    public static final MBeanCommands<ListManagementMBean> COMMANDS = new MBeanCommands<>(
        ListManagementMBean.class, ListManagement.OBJECT_NAME, List.of(
            command("CreateList", 2, 3, "CreateList <list> <OPEN|MEMBERS|MODERATED|OWNERS> [description]",
                (lists, operands) -> lists.createList(operands.get(0), operands.get(1),
                    operands.size() > 2 ? operands.get(2) : "")),
            command("DeleteList", 1, 1, "DeleteList <list>", (lists, operands) -> lists.deleteList(operands.get(0))),
            command("ListLists", 0, 1, "ListLists [text]", (lists, operands) ->
                lists.searchLists(operands.isEmpty() ? "" : operands.get(0)).forEach(System.out::println)),
            command("DescribeList", 1, 1, "DescribeList <list>", (lists, operands) ->
                System.out.print(lists.describeList(operands.get(0)))),
            command("ModifyList", 3, 3, "ModifyList <list> <setting> <value>", (lists, operands) ->
                lists.modifyList(operands.get(0), operands.get(1), operands.get(2))),
            command("AddListMember", 2, 3, "AddListMember <list> <address> [IMMEDIATE|DIGEST]", (lists, operands) ->
                lists.setMember(operands.get(0), operands.get(1), operands.size() > 2 ? operands.get(2) : "IMMEDIATE")),
            command("RemoveListMember", 2, 2, "RemoveListMember <list> <address>", (lists, operands) ->
                lists.removeMember(operands.get(0), operands.get(1))),
            command("SetListPassword", 2, 2, "SetListPassword <list> <password>", (lists, operands) ->
                lists.setListPassword(operands.get(0), operands.get(1))),
            command("SetListDeliveryMode", 3, 3, "SetListDeliveryMode <list> <member> <IMMEDIATE|DIGEST>",
                (lists, operands) -> lists.setDeliveryMode(operands.get(0), operands.get(1), operands.get(2))),
            command("SendListDigest", 1, 1, "SendListDigest <list>", (lists, operands) ->
                System.out.println(lists.sendListDigest(operands.get(0)) + " post(s) sent in the digest")),
            command("ListArchive", 1, 2, "ListArchive <list> [date|thread|author]", (lists, operands) ->
                lists.listArchive(operands.get(0), operands.size() > 1 ? operands.get(1) : "date")
                    .forEach(System.out::println))));

    private ListCommands() {
    }
}
