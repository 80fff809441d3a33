package org.switchboard.server.lists;

import java.util.List;

/**
 * JMX operations on the bounce scores of list members ({@value ListBounceManagement#OBJECT_NAME}), used by
 * {@code james-cli ListBounceScores} and {@code ResetListBounces}.
 */
public interface ListBounceManagementMBean {

    /** One line per member with bounces: address, score, day of the last counted bounce, disabled or not. */
    List<String> bounceScores(String list) throws Exception;

    /** Forgets the member's bounces: its delivery is enabled again. */
    void resetBounces(String list, String member) throws Exception;
}
