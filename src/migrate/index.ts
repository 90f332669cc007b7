import '../core/esm-globals.js'
import { notImplemented } from '../core/not-implemented.js'

notImplemented('migrate')
