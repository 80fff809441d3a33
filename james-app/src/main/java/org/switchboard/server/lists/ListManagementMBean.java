package org.switchboard.server.lists;

import java.util.List;

/**
 * JMX operations on the distribution lists of the directory ({@value ListManagement#OBJECT_NAME}), used by
 * {@code james-cli CreateList} and its siblings. Addresses are full mail addresses; errors are plain exceptions
 * whose message says what is wrong.
 */
public interface ListManagementMBean {

    /** Creates the list {@code mail=<address>} below its domain's branch, with this posting policy and description. */
    void createList(String address, String posting, String description) throws Exception;

    void deleteList(String address) throws Exception;

    /** One line per list whose address, name or description contains the text (every list for an empty text). */
    List<String> searchLists(String text) throws Exception;

    /** Every setting and member of the list, one per line. */
    String describeList(String address) throws Exception;

    /**
     * Changes a setting: {@code description}, {@code posting}, {@code subscription}, {@code subjectPrefix},
     * {@code archive}, {@code replyTo} (LIST, SENDER or an address), {@code maxMessageSize} (octets),
     * {@code digestInterval} (DAILY|WEEKLY [day]|MONTHLY [1-28], then [HH:MM]), {@code digestMaxMessages}, {@code verp}
     * (ON, OFF, AUTO), {@code bounceThreshold} (e.g. 5.0), {@code dmarc} (MUNGE, WRAP, NONE) (replaced; the
     * value {@code -} removes it), {@code addOwner}, {@code removeOwner},
     * {@code block}, {@code unblock} (an address or {@code @domain}), {@code ban}, {@code unban} (an address,
     * {@code @domain}, a glob or a regular expression starting with {@code ^}).
     */
    void modifyList(String address, String setting, String value) throws Exception;

    /** Adds the member in that delivery mode (IMMEDIATE or DIGEST), or moves a member to that mode. */
    void setMember(String address, String member, String mode) throws Exception;

    void removeMember(String address, String member) throws Exception;

    /** Moves an existing member to that delivery mode (IMMEDIATE or DIGEST). */
    void setDeliveryMode(String address, String member, String mode) throws Exception;

    /** Sends the list's digest of every kept post now; returns how many posts it held (0: nothing to send). */
    int sendListDigest(String address) throws Exception;

    /** One line per archived post (date, author, subject, Message-ID), sorted by {@code date}, {@code thread} or
     *  {@code author}. */
    List<String> listArchive(String address, String order) throws Exception;

    /** The list owner's password: the list entry's {@code userPassword}, with which the owner binds as the list. */
    void setListPassword(String address, String password) throws Exception;
}
