// Unit suites need nothing outside this process; integration suites start the
// real testbed (sshd, dockerd) and run one at a time so the two cores are not
// fought over by several engines and servers at once.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    tsconfig: { module: 'NodeNext', moduleResolution: 'NodeNext', isolatedModules: true }
  }
]

const shared = {
  preset: 'ts-jest/presets/default-esm',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node'
}

export default {
  verbose: true,
  testTimeout: 180000,
  maxWorkers: 1,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/__tests__/unit/**/*.test.ts',
        '<rootDir>/testbed/__tests__/unit/**/*.test.ts'
      ]
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/__tests__/integration/**/*.test.ts',
        '<rootDir>/testbed/__tests__/integration/**/*.test.ts'
      ]
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] }
  ]
}
