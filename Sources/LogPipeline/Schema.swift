/// Versions stamped on every record so readers can tell what they are reading.
public enum Schema {
    /// Version of vdm's own record layout (`vdm.schema`). Bump on any incompatible change.
    /// 1: ECS 8.11 names; 2: ECS 9.4 names (`LegacyFieldName` lists what moved; the reader reads both).
    public static let version = 2
    /// The ECS version the records follow (`ecs.version`).
    public static let ecsVersion = "9.4.0"
    /// `service.name` on every record; also the journald/syslog identifier.
    public static let serviceName = "vandamme-proxy"
}
