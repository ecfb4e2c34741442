// Stand-in for the Darwin SDK on Linux, for memtier's tests: with this module named Darwin on the
// import path of one type-check (test/swift/compile.test.ts, not the package: XCTest on Linux
// checks canImport(Darwin) itself), `#if canImport(Darwin)` is true and the monitor's Darwin branch
// is type-checked (what is behind `#if os(iOS)`, os_proc_available_memory() and UIKit, still is
// not: no flag makes os() true here); test/swift/stress-test-darwin.test.ts type-checks the stress
// test's kernel-peak reader against it the same way. Declarations as Swift imports them:
// - mach/: machine/_types.h and sys/_types (natural_t, integer_t, mach_port_t), mach/kern_return.h
//   (KERN_SUCCESS), mach/task_info.h (TASK_VM_INFO, struct task_vm_info), mach/task.h
//   (task_info), mach/mach_traps.h (task_self_trap);
// - Dispatch's Swift overlay, as in apple/swift-corelibs-libdispatch src/swift/Source.swift and
//   Wrapper.swift (`#if HAVE_MACH` parts, which Linux builds leave out): MemoryPressureEvent,
//   makeMemoryPressureSource(eventMask:queue:), protocol DispatchSourceMemoryPressure.
// Bodies only have to run as far as a type-check needs (the pressure source is a Dispatch user-data
// source), except task_info's TASK_VM_INFO, which answers as xnu does from `StandInKernel`'s values,
// so that a test can run the stress test's reader of the kernel's peak.
//
// `struct task_vm_info` is transcribed whole, as apple-oss-distributions/xnu has it at
// xnu-11417.101.15 (osfmk/mach/task_info.h): revision 0 up to compressed_lifetime, phys_footprint
// in revision 1, min_address and max_address in 2, the ledgers from ledger_phys_footprint_peak on
// in 3 (first in xnu-6153.11.26, the iOS 13 kernel), limit_bytes_remaining in 4, decompressions in
// 5, ledger_swapins in 6, the two neural fields in 7 (first in xnu-11215.1.10). Its size matters:
// callers pass it, in natural_t words, as the count (TASK_VM_INFO_COUNT is `sizeof(...) /
// sizeof(natural_t)`, a macro Swift does not import, like the TASK_VM_INFO_REVn_COUNT macros built
// on it), and the kernel (osfmk/kern/task.c, task_info) fills each revision the count covers and
// returns the count of the last one filled.

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
public typealias mach_vm_address_t = UInt64

/// `KERN_SUCCESS` (mach/kern_return.h).
public var KERN_SUCCESS: Int32 { 0 }
/// `KERN_FAILURE` (mach/kern_return.h).
public var KERN_FAILURE: Int32 { 5 }
/// `TASK_VM_INFO` (mach/task_info.h).
public var TASK_VM_INFO: Int32 { 22 }

/// `struct task_vm_info` (mach/task_info.h), every field of revisions 0 to 7, in order.
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
  // Revision 1.
  public var phys_footprint: mach_vm_size_t
  // Revision 2.
  public var min_address: mach_vm_address_t
  public var max_address: mach_vm_address_t
  // Revision 3.
  public var ledger_phys_footprint_peak: Int64
  public var ledger_purgeable_nonvolatile: Int64
  public var ledger_purgeable_novolatile_compressed: Int64
  public var ledger_purgeable_volatile: Int64
  public var ledger_purgeable_volatile_compressed: Int64
  public var ledger_tag_network_nonvolatile: Int64
  public var ledger_tag_network_nonvolatile_compressed: Int64
  public var ledger_tag_network_volatile: Int64
  public var ledger_tag_network_volatile_compressed: Int64
  public var ledger_tag_media_footprint: Int64
  public var ledger_tag_media_footprint_compressed: Int64
  public var ledger_tag_media_nofootprint: Int64
  public var ledger_tag_media_nofootprint_compressed: Int64
  public var ledger_tag_graphics_footprint: Int64
  public var ledger_tag_graphics_footprint_compressed: Int64
  public var ledger_tag_graphics_nofootprint: Int64
  public var ledger_tag_graphics_nofootprint_compressed: Int64
  public var ledger_tag_neural_footprint: Int64
  public var ledger_tag_neural_footprint_compressed: Int64
  public var ledger_tag_neural_nofootprint: Int64
  public var ledger_tag_neural_nofootprint_compressed: Int64
  // Revision 4.
  public var limit_bytes_remaining: UInt64
  // Revision 5.
  public var decompressions: integer_t
  // Revision 6.
  public var ledger_swapins: Int64
  // Revision 7.
  public var ledger_tag_neural_nofootprint_total: Int64
  public var ledger_tag_neural_nofootprint_peak: Int64

  /// The zero initializer every imported C struct has.
  public init() {
    (virtual_size, region_count, page_size, resident_size, resident_size_peak) = (0, 0, 0, 0, 0)
    (device, device_peak, `internal`, internal_peak, external, external_peak) = (0, 0, 0, 0, 0, 0)
    (reusable, reusable_peak, purgeable_volatile_pmap) = (0, 0, 0)
    (purgeable_volatile_resident, purgeable_volatile_virtual) = (0, 0)
    (compressed, compressed_peak, compressed_lifetime, phys_footprint) = (0, 0, 0, 0)
    (min_address, max_address) = (0, 0)
    (ledger_phys_footprint_peak, ledger_purgeable_nonvolatile) = (0, 0)
    (ledger_purgeable_novolatile_compressed, ledger_purgeable_volatile) = (0, 0)
    (ledger_purgeable_volatile_compressed, ledger_tag_network_nonvolatile) = (0, 0)
    (ledger_tag_network_nonvolatile_compressed, ledger_tag_network_volatile) = (0, 0)
    (ledger_tag_network_volatile_compressed, ledger_tag_media_footprint) = (0, 0)
    (ledger_tag_media_footprint_compressed, ledger_tag_media_nofootprint) = (0, 0)
    (ledger_tag_media_nofootprint_compressed, ledger_tag_graphics_footprint) = (0, 0)
    (ledger_tag_graphics_footprint_compressed, ledger_tag_graphics_nofootprint) = (0, 0)
    (ledger_tag_graphics_nofootprint_compressed, ledger_tag_neural_footprint) = (0, 0)
    (ledger_tag_neural_footprint_compressed, ledger_tag_neural_nofootprint) = (0, 0)
    (ledger_tag_neural_nofootprint_compressed, limit_bytes_remaining, decompressions) = (0, 0, 0)
    (ledger_swapins, ledger_tag_neural_nofootprint_total) = (0, 0)
    ledger_tag_neural_nofootprint_peak = 0
  }
}

/// `task_vm_info_data_t` (mach/task_info.h).
public typealias task_vm_info_data_t = task_vm_info

/// `task_self_trap()` (mach/mach_traps.h).
public func task_self_trap() -> mach_port_name_t { 0 }

/// `KERN_INVALID_ARGUMENT` (mach/kern_return.h).
public var KERN_INVALID_ARGUMENT: Int32 { 4 }

/// The stand-in kernel's answers to `task_info(TASK_VM_INFO)`, for tests that run code against
/// this module (not an SDK declaration).
public enum StandInKernel {
  /// The newest TASK_VM_INFO revision the kernel knows (7 from xnu-11215; 3, the first with
  /// `ledger_phys_footprint_peak`, from xnu-6153, iOS 13); 0 makes `task_info` fail.
  nonisolated(unsafe) public static var taskVMInfoRevision = 7
  /// `phys_footprint`.
  nonisolated(unsafe) public static var footprint: UInt64 = 0
  /// `ledger_phys_footprint_peak`.
  nonisolated(unsafe) public static var footprintPeak: Int64 = 0
  /// The count the last `task_info` call was given.
  nonisolated(unsafe) public static var countPassed: mach_msg_type_number_t = 0
}

/// `task_info(_:_:_:_:)` (mach/task.h). For TASK_VM_INFO it does what xnu's task_info does
/// (osfmk/kern/task.c at xnu-11417.101.15): a count below revision 0's is refused; every revision
/// the count covers is filled, up to the newest the kernel knows, and the count of the last one
/// filled is returned. The counts are task_info.h's TASK_VM_INFO_REVn_COUNT chain, from the whole
/// struct's size in natural_t words down. Any other flavor fails.
public func task_info(
  _ target_task: task_name_t, _ flavor: task_flavor_t, _ task_info_out: task_info_t!,
  _ task_info_outCnt: UnsafeMutablePointer<mach_msg_type_number_t>!
) -> kern_return_t {
  StandInKernel.countPassed = task_info_outCnt.pointee
  guard flavor == task_flavor_t(TASK_VM_INFO), StandInKernel.taskVMInfoRevision > 0 else {
    return KERN_FAILURE
  }
  let rev7 = mach_msg_type_number_t(MemoryLayout<task_vm_info>.size / MemoryLayout<natural_t>.size)
  let rev6 = rev7 - 4
  let rev5 = rev6 - 2
  let rev4 = rev5 - 1
  let rev3 = rev4 - 2
  let rev2 = rev3 - 42
  let rev1 = rev2 - 4
  let rev0 = rev1 - 2
  let counts = [rev0, rev1, rev2, rev3, rev4, rev5, rev6, rev7]
  let given = task_info_outCnt.pointee
  guard given >= rev0 else { return KERN_INVALID_ARGUMENT }
  let filled = counts.indices.last { $0 <= StandInKernel.taskVMInfoRevision && given >= counts[$0] } ?? 0
  // Written at the fields' offsets: the caller's buffer holds only `given` words.
  let out = UnsafeMutableRawPointer(task_info_out!)
  if filled >= 1, let offset = MemoryLayout<task_vm_info>.offset(of: \.phys_footprint) {
    out.storeBytes(of: StandInKernel.footprint, toByteOffset: offset, as: UInt64.self)
  }
  if filled >= 3, let offset = MemoryLayout<task_vm_info>.offset(of: \.ledger_phys_footprint_peak) {
    out.storeBytes(of: StandInKernel.footprintPeak, toByteOffset: offset, as: Int64.self)
  }
  task_info_outCnt.pointee = counts[filled]
  return KERN_SUCCESS
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
