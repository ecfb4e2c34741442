// Stand-in for the Darwin SDK on Linux, for memtier's tests: with this module named Darwin on the
// import path of one type-check (test/swift/compile.test.ts, not the package: XCTest on Linux
// checks canImport(Darwin) itself), `#if canImport(Darwin)` is true and the monitor's Darwin branch
// is type-checked (what is behind `#if os(iOS)`, os_proc_available_memory() and UIKit, still is
// not: no flag makes os() true here). Declarations as Swift imports them:
// - mach/: machine/_types.h and sys/_types (natural_t, integer_t, mach_port_t), mach/kern_return.h
//   (KERN_SUCCESS), mach/task_info.h (TASK_VM_INFO, struct task_vm_info), mach/task.h
//   (task_info), mach/mach_traps.h (task_self_trap);
// - Dispatch's Swift overlay, as in apple/swift-corelibs-libdispatch src/swift/Source.swift and
//   Wrapper.swift (`#if HAVE_MACH` parts, which Linux builds leave out): MemoryPressureEvent,
//   makeMemoryPressureSource(eventMask:queue:), protocol DispatchSourceMemoryPressure.
// Bodies only have to run as far as a type-check needs: task_info fails, and the pressure source
// is a Dispatch user-data source.

@_exported import Dispatch
@_exported import Glibc

public typealias natural_t = UInt32
public typealias integer_t = Int32
public typealias mach_port_name_t = natural_t
public typealias mach_port_t = natural_t
public typealias task_name_t = mach_port_t
public typealias task_flavor_t = natural_t
public typealias task_info_t = UnsafeMutablePointer<integer_t>
public typealias mach_msg_type_number_t = natural_t
public typealias kern_return_t = Int32
public typealias mach_vm_size_t = UInt64

/// `KERN_SUCCESS` (mach/kern_return.h).
public var KERN_SUCCESS: Int32 { 0 }
/// `KERN_FAILURE` (mach/kern_return.h).
public var KERN_FAILURE: Int32 { 5 }
/// `TASK_VM_INFO` (mach/task_info.h).
public var TASK_VM_INFO: Int32 { 22 }

/// `struct task_vm_info` (mach/task_info.h): the fields up to `phys_footprint`, in order.
public struct task_vm_info {
  public var virtual_size: mach_vm_size_t
  public var region_count: integer_t
  public var page_size: integer_t
  public var resident_size: mach_vm_size_t
  public var resident_size_peak: mach_vm_size_t
  public var device: mach_vm_size_t
  public var device_peak: mach_vm_size_t
  public var `internal`: mach_vm_size_t
  public var internal_peak: mach_vm_size_t
  public var external: mach_vm_size_t
  public var external_peak: mach_vm_size_t
  public var reusable: mach_vm_size_t
  public var reusable_peak: mach_vm_size_t
  public var purgeable_volatile_pmap: mach_vm_size_t
  public var purgeable_volatile_resident: mach_vm_size_t
  public var purgeable_volatile_virtual: mach_vm_size_t
  public var compressed: mach_vm_size_t
  public var compressed_peak: mach_vm_size_t
  public var compressed_lifetime: mach_vm_size_t
  public var phys_footprint: mach_vm_size_t

  /// The zero initializer every imported C struct has.
  public init() {
    (virtual_size, region_count, page_size, resident_size, resident_size_peak) = (0, 0, 0, 0, 0)
    (device, device_peak, `internal`, internal_peak, external, external_peak) = (0, 0, 0, 0, 0, 0)
    (reusable, reusable_peak, purgeable_volatile_pmap) = (0, 0, 0)
    (purgeable_volatile_resident, purgeable_volatile_virtual) = (0, 0)
    (compressed, compressed_peak, compressed_lifetime, phys_footprint) = (0, 0, 0, 0)
  }
}

/// `task_vm_info_data_t` (mach/task_info.h).
public typealias task_vm_info_data_t = task_vm_info

/// `task_self_trap()` (mach/mach_traps.h).
public func task_self_trap() -> mach_port_name_t { 0 }

/// `task_info(_:_:_:_:)` (mach/task.h). Fails here: Linux has no Mach task to ask.
public func task_info(
  _ target_task: task_name_t, _ flavor: task_flavor_t, _ task_info_out: task_info_t!,
  _ task_info_outCnt: UnsafeMutablePointer<mach_msg_type_number_t>!
) -> kern_return_t {
  KERN_FAILURE
}

extension DispatchSource {
  /// `DispatchSource.MemoryPressureEvent`.
  public struct MemoryPressureEvent: OptionSet, RawRepresentable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }

    public static let normal = MemoryPressureEvent(rawValue: 0x1)
    public static let warning = MemoryPressureEvent(rawValue: 0x2)
    public static let critical = MemoryPressureEvent(rawValue: 0x4)
    public static let all: MemoryPressureEvent = [.normal, .warning, .critical]
  }

  /// `makeMemoryPressureSource(eventMask:queue:)`.
  public class func makeMemoryPressureSource(
    eventMask: MemoryPressureEvent, queue: DispatchQueue? = nil
  ) -> DispatchSourceMemoryPressure {
    DispatchSource.makeUserDataOrSource(queue: queue) as! DispatchSource
  }
}

/// `DispatchSourceMemoryPressure` (Wrapper.swift): a source protocol, not class-bound.
public protocol DispatchSourceMemoryPressure: DispatchSourceProtocol {
  var data: DispatchSource.MemoryPressureEvent { get }
}

extension DispatchSource: DispatchSourceMemoryPressure {}

extension DispatchSourceMemoryPressure {
  public var data: DispatchSource.MemoryPressureEvent {
    DispatchSource.MemoryPressureEvent(rawValue: (self as? DispatchSourceUserDataOr)?.data ?? 0)
  }
}
