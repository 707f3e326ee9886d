import Glibc

/// Whether the native journald socket file is present on this machine.
package func journaldSocketPresent(path: String = LogTargetSelection.journaldSocketPath) -> Bool {
    access(path, W_OK) == 0
}

/// Whether journald answers on its native socket now (a stopped journald can leave the file behind).
package func journaldListening(path: String = LogTargetSelection.journaldSocketPath) -> Bool {
    UnixDatagramSocket.isListening(at: path)
}
