package org.switchboard.mailets.preprocessor.tnef;

/** A file taken out of a TNEF stream: its name (never empty, no path), MIME type and exact bytes. */
record ExtractedFile(String name, String contentType, byte[] content) {
}
