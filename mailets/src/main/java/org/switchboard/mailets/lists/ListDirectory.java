package org.switchboard.mailets.lists;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/**
 * The distribution lists of the directory: what the list manager reads when a post or a command arrives, and the
 * changes it makes (members joining and leaving). Every answer is read from the directory (no cache): a list's
 * members are always the ones the directory holds now. A directory that does not answer is a
 * {@link DirectoryUnavailableException}, never an empty answer.
 */
public interface ListDirectory {

    /** The list whose {@code mail} (or {@code ieMailAlias}) is the address; empty when there is none. */
    Optional<DistributionList> find(MailAddress address) throws DirectoryUnavailableException;

    /** Every list whose address, name or description contains the text (every list for an empty text). */
    List<DistributionList> search(String text) throws DirectoryUnavailableException;

    /** Adds the member in that mode, or moves an existing member to that mode. */
    void setMember(DistributionList list, MailAddress member, DeliveryMode mode) throws DirectoryUnavailableException;

    /** Removes the member (both modes); false when it was no member. */
    boolean removeMember(DistributionList list, MailAddress member) throws DirectoryUnavailableException;

    /** Stores a pending request below its list. */
    void addRequest(DistributionList list, ListRequest request) throws DirectoryUnavailableException;

    /** The pending request with that token, whatever its list; empty when there is none. */
    Optional<ListRequest> request(String token) throws DirectoryUnavailableException;

    /**
     * Removes the request; false when it was gone already. Whoever removes it answers it: a token shown twice at the
     * same time is used once.
     */
    boolean removeRequest(ListRequest request) throws DirectoryUnavailableException;
}
