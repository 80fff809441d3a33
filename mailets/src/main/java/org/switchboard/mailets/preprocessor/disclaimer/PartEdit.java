package org.switchboard.mailets.preprocessor.disclaimer;

import java.util.List;

/**
 * A text part with the disclaimer in it: where it is, its header lines (the part's own, with Content-Type and
 * Content-Transfer-Encoding changed only when the new content needs it), its content as written (transfer-encoded)
 * and as a reader decodes it (checked again on the rebuilt message).
 */
record PartEdit(List<Integer> path, List<String> headerLines, byte[] encoded, byte[] decoded, String change) {
}
