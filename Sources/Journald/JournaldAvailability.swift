import CSystemd
import Glibc

/// Whether the native journald socket is present on this machine.
public func journaldSocketPresent(path: String = "/run/systemd/journal/socket") -> Bool {
    access(path, W_OK) == 0
}
